"""Child processes the workspace starts for user code (job runs, builds' import checks, replicas,
sessions): the environment they get (``environment``), their process groups (``groups``) and the
CPU and memory they are held to (``limits``)."""
