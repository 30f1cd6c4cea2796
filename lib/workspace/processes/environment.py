"""The one environment every child process of user code gets: job runs, builds' import checks,
model replicas and notebook sessions.

Why one composer: a numbered script must behave the same as a scheduled job, cell by cell in a
session, or imported by a build; all of them get the project's variables, the workspace to talk
to, the MLflow server to log to and every ``LAB_*`` lakehouse setting of the workspace itself.

Later layers win: base (the server's environment) < project < job or deployment < run; then the
workspace-owned variables (API URL, the child's own key, project id, LAB_HOME, and ``owned``) are
set last, so a project cannot point them elsewhere. The server's own key never passes down.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import workspace
from workspace.core.config import WorkspaceSettings

LIB_DIR = str(Path(workspace.__file__).resolve().parents[1])


def with_lab_on_path(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` with the lab's ``lib/`` first on PYTHONPATH, so a child imports this very copy."""
    paths = (LIB_DIR, env.get("PYTHONPATH"))
    return {**env, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}


def child_environment(
    settings: WorkspaceSettings,
    *,
    project_id: str,
    api_key: str | None,
    layers: list[Mapping[str, str]],
    owned: Mapping[str, str] | None = None,
    base: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """``base`` (default: this process's environment, which carries the ``LAB_*`` catalog
    settings) overlaid with ``layers``, then the workspace's variables and ``owned``."""
    env = dict(os.environ if base is None else base)
    env.pop("LAB_API_KEY", None)  # never hand the server's own key to user code
    for layer in layers:
        env.update(layer)
    if not any("MLFLOW_TRACKING_URI" in layer for layer in layers):
        env["MLFLOW_TRACKING_URI"] = settings.mlflow_tracking_uri  # unless the project names one
    env.update(
        LAB_API_URL=settings.server_url,
        LAB_PROJECT_ID=project_id,
        LAB_HOME=str(settings.lab_home),
        PYTHONUNBUFFERED="1",
    )
    env.update(owned or {})
    if api_key:
        env["LAB_API_KEY"] = api_key
    return with_lab_on_path(env)
