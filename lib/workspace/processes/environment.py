"""The one environment every child process of user code gets: job runs, builds' import checks,
model replicas and notebook sessions.

Why one composer: a numbered script must behave the same as a scheduled job, cell by cell in a
session, or imported by a build; all of them get the project's variables, the workspace to talk
to, the MLflow server to log to and every ``LAB_*`` lakehouse setting of the workspace itself.

Why the ``CDSW_*`` variables too: code written for CML reads them (``CDSW_PROJECT``,
``PROJECT_OWNER``, ``CDSW_API_URL`` and ``CDSW_APIV2_KEY`` for ``cmlapi.default_client()``) and
must run here unchanged. They carry the same values as their ``LAB_*`` twins.

Why an allow-list: user code must not see the server's secrets. The base is not the server's
environment but the few of its variables named in ``PASSED_FROM_SERVER`` (how to find programs,
language and time zone, Java and Spark, and the lakehouse's own settings); the workspace database
URL, the server's key, its credentials file and anything else it happens to hold never pass down.

Later layers win: base < project < job or deployment < run; then the workspace-owned variables
(API URL, the child's own key, project identity, LAB_HOME, and ``owned``) are set last, so a
project cannot point them elsewhere.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import workspace
from workspace.core.config import WorkspaceSettings

LIB_DIR = str(Path(workspace.__file__).resolve().parents[1])

CML_API_V1_PATH = "/api/v1"
"""CML's CDSW_API_URL ends in the v1 path; CML code derives v2 from it (``[:-1] + "2"``)."""

API_KEY_VARIABLES = ("LAB_API_KEY", "CDSW_APIV2_KEY")
"""Where a child finds its own key; whatever the server's environment holds there is dropped."""

PASSED_FROM_SERVER = frozenset(
    {
        "PATH",  # where programs are: python, java, git
        "PYTHONPATH",  # where the server's own packages are, so a child imports the same ones
        "LANG",  # text encoding of files and terminals
        "TZ",  # local time, as schedules and reports show it
        "TMPDIR",  # where temporary files go
        "JAVA_HOME",  # the JVM Spark starts
        "HADOOP_HOME",  # Spark's Hadoop libraries, where installed apart
        "LAB_CATALOG_NAME",  # the Iceberg catalog, the same in every engine
        "LAB_CATALOG_TYPE",  # sql or rest
        "LAB_CATALOG_URI",  # where the catalog answers (the lakehouse, not the workspace db)
        "LAB_WAREHOUSE",  # where table files live
        "LAB_S3_ENDPOINT",  # the warehouse's object store
        "LAB_S3_ACCESS_KEY_ID",  # its credentials (the lakehouse's, never the workspace's)
        "LAB_S3_SECRET_ACCESS_KEY",
        "LAB_S3_REGION",
        "LAB_NAMESPACE",  # the namespace of the lab's tables
        "LAB_JARS_DIR",  # Spark's pinned Iceberg and S3 jars
        "LAB_WEB_DIR",  # map assets a report embeds
        "LAB_SPARK_DRIVER_MEMORY",  # memory of a local Spark driver
        "LAB_SERVING_CGROUPS",  # whether replicas a child starts get cgroups
        "AWS_ACCESS_KEY_ID",  # the warehouse's object store credentials (the lakehouse's only)
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
    }
)
"""Variables of the server's environment a child gets; nothing else of it passes down."""

PASSED_PREFIXES = ("LC_", "SPARK_")
"""Families passed whole: locale categories, and Spark's own settings (SPARK_MASTER...)."""


def base_environment(server: Mapping[str, str] | None = None) -> dict[str, str]:
    """The part of ``server`` (default: this process's environment) user code may see."""
    server = os.environ if server is None else server
    return {
        name: value
        for name, value in server.items()
        if name in PASSED_FROM_SERVER or name.startswith(PASSED_PREFIXES)
    }


@dataclass(frozen=True)
class ProjectIdentity:
    """The project a child works in, as CML names it to user code.

    Example::

        ProjectIdentity(id="a1b2", name="CML MLOps Logistics PRD - ana", owner="ana")
    """

    id: str
    name: str
    owner: str
    """Username of whoever created the project (CML's PROJECT_OWNER)."""


def with_lab_on_path(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` with the lab's ``lib/`` first on PYTHONPATH, so a child imports this very copy."""
    paths = (LIB_DIR, env.get("PYTHONPATH"))
    return {**env, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}


def workspace_variables(settings: WorkspaceSettings, project: ProjectIdentity) -> dict[str, str]:
    """The variables the workspace owns in every child, under their ``LAB_*`` and CML names."""
    server_url = settings.server_url
    return {
        "LAB_API_URL": server_url,
        "LAB_PROJECT_ID": project.id,
        "LAB_HOME": str(settings.lab_home),
        "CDSW_API_URL": server_url + CML_API_V1_PATH,
        "CDSW_DOMAIN": urlsplit(server_url).netloc,
        "CDSW_PROJECT_ID": project.id,
        "CDSW_PROJECT": project.name,
        "PROJECT_OWNER": project.owner,
        "PYTHONUNBUFFERED": "1",
    }


def child_environment(
    settings: WorkspaceSettings,
    *,
    project: ProjectIdentity,
    api_key: str | None,
    layers: list[Mapping[str, str]],
    owned: Mapping[str, str] | None = None,
    base: Mapping[str, str] | None = None,
    home: Path | None = None,
) -> dict[str, str]:
    """``base`` (default: the allow-listed part of this process's environment, which carries
    the lakehouse settings) overlaid with ``layers``, then the workspace's variables and
    ``owned``; ``home`` is the child's HOME (default: the server's)."""
    env = base_environment(base)
    env["HOME"] = str(home) if home else os.environ.get("HOME", "/")
    for layer in layers:
        env.update(layer)
    if not any("MLFLOW_TRACKING_URI" in layer for layer in layers):
        env["MLFLOW_TRACKING_URI"] = settings.mlflow_tracking_uri  # unless the project names one
    env.update(workspace_variables(settings, project))
    env.update(owned or {})
    if api_key:
        env.update(dict.fromkeys(API_KEY_VARIABLES, api_key))
    return with_lab_on_path(env)
