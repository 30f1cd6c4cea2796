"""A team's cluster components on one machine, on loopback: to try the team settings on a laptop,
to prove the lab on them in CI, and to measure them in the benches.

Why here and not in the tests: the benches start the same components, and a user who wants to see
the lab on a Spark standalone cluster, PostgreSQL, a REST catalog and S3 before the team's own are
ready runs the same code. Each component starts as a real process (no container, no mock), bound
to 127.0.0.1 on free ports, within a time bound, in its own process group, and stops by that group
(never by a process name, which would stop other people's processes). Each one says, as
``settings()``, the ``LAB_*`` variables that point the lab at it.

Example::

    with PostgresServer.start(tmp) as pg, SeaweedS3.start(tmp) as s3:
        env = {**pg.settings("catalog"), **s3.settings()}

Errors::

    ComponentFailed       a component did not start in time (the message ends with its log)
    MissingComponent      its program is not installed (the message says how to install it)

Nothing here imports the lab's packages: a Ray head joins the same way (a module per component).
"""

from localcluster.postgres import PostgresServer
from localcluster.process import ComponentFailed, MissingComponent, free_port
from localcluster.rest_catalog import RestCatalog
from localcluster.s3 import SeaweedS3
from localcluster.spark import SparkStandalone

__all__ = [
    "ComponentFailed",
    "MissingComponent",
    "PostgresServer",
    "RestCatalog",
    "SeaweedS3",
    "SparkStandalone",
    "free_port",
]
