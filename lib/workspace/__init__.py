"""The workspace: a CML-shaped control plane (projects, jobs, models, builds, deployments), its
Python API client and the serving engine behind model endpoints. Knows nothing of logistics.

Where each part runs::

    schemas/     request and response bodies and resource states, shared by server and client
    core/        settings, ids and keys, paths inside a project: shared by every part
    server/      the control-plane process (``workspace up``): API, services, storage, /model
    serving/     in the server: serving backends (local processes) and the router before them
    processes/   in the server: child processes of user code (environment, groups, limits)
    replica/     inside a model replica or a build's import check, never in the server
    model_api    what model and job code imports (``cdsw``, at the top of lib/, re-exports it)
    client/      the Python API client, for scripts, notebooks and user code
    cli, session on the laptop: the ``workspace`` command and notebook sessions
    lifecycle, release, endpoints
                 on the laptop: find-or-create, build-and-deploy, safe redeploy, a release's
                 test request, the endpoint a load test aims at
    load/, monitoring, capacity
                 on the laptop: load generation and before/after, monitoring frames and
                 figures, capacity verdicts
"""
