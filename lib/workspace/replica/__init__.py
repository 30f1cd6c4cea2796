"""What runs inside a model's own processes, never in the server: the replica's HTTP server
(``server``), loading and warming an entry point (``entry_point``, ``pyfunc``), the request-scoped
prediction context model code writes metrics to (``prediction``), and the import check a build
runs before anyone may deploy it (``import_check``)."""
