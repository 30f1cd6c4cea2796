"""The control-plane server: a FastAPI app in the shape of CML API v2 plus the model endpoint.

::

    app.py       the ASGI app and its lifespan (start, stop)
    wiring.py    builds every service with the collaborators it uses: the one place that wires
    api/         HTTP only: dependency aliases, error mapping, list paging, one router a resource
    services/    the work, without HTTP: builds, deployments, jobs (scheduler, runner, rules),
                 project files, MLflow, telemetry; refusals are ``services.errors``
    storage/     tables (SQLAlchemy) and the writes several parts share (``crud``)
    endpoint/    ``POST /model``: the access-key index and the lean ASGI endpoint
"""
