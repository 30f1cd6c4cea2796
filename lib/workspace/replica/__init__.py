"""What runs inside a model's own processes, never in the server: the replica's HTTP server
(``server``), loading and warming an entry point (``entry_point``, ``pyfunc``), the request-scoped
prediction context model code writes metrics to (``prediction``), and the import check a build
runs before anyone may deploy it (``import_check``)."""

REPLICA_SECRET_HEADER = "X-Lab-Replica-Secret"
"""The header carrying a deployment's secret: a replica answers ``/predict`` only with it, so no
other local process can call a model behind the router's back."""
