"""The one environment every child process of user code gets: job runs, builds' import checks,
model replicas and notebook sessions.

Why one composer: a numbered script must behave the same as a scheduled job, cell by cell in a
session, or imported by a build; all of them get the project's variables, the workspace to talk
to, the MLflow server to log to and every ``LAB_*`` lakehouse setting of the workspace itself.

Why the ``CDSW_*`` variables too: code written for CML reads them (``CDSW_PROJECT``,
``PROJECT_OWNER``, ``CDSW_API_URL`` and ``CDSW_APIV2_KEY`` for ``cmlapi.default_client()``) and
must run here unchanged. They carry the same values as their ``LAB_*`` twins.

Later layers win: base (the server's environment) < project < job or deployment < run; then the
workspace-owned variables (API URL, the child's own key, project identity, LAB_HOME, and
``owned``) are set last, so a project cannot point them elsewhere. The server's own key never
passes down.
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

SERVER_ONLY_VARIABLES = ("LAB_DATABASE_URL",)
"""The server's own database (a PostgreSQL URL holds its password): never handed to user code."""


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
) -> dict[str, str]:
    """``base`` (default: this process's environment, which carries the ``LAB_*`` catalog
    settings) overlaid with ``layers``, then the workspace's variables and ``owned``."""
    env = dict(os.environ if base is None else base)
    for name in (*API_KEY_VARIABLES, *SERVER_ONLY_VARIABLES):  # the server's own secrets
        env.pop(name, None)
    for layer in layers:
        env.update(layer)
    if not any("MLFLOW_TRACKING_URI" in layer for layer in layers):
        env["MLFLOW_TRACKING_URI"] = settings.mlflow_tracking_uri  # unless the project names one
    env.update(workspace_variables(settings, project))
    env.update(owned or {})
    if api_key:
        env.update(dict.fromkeys(API_KEY_VARIABLES, api_key))
    return with_lab_on_path(env)
