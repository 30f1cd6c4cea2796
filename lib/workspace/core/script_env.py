"""The environment a project script sees, in a job run or a notebook session.

Why one function: a numbered script must behave the same whether it runs as a scheduled job or
cell by cell in a session; both get the project's variables, the workspace to talk to, the MLflow
server to log to and every ``LAB_*`` lakehouse setting of the workspace itself.

Later layers win: server environment < project < job < run; then the workspace-owned variables
(API URL and key, project id, LAB_HOME) are set last so a project cannot point them elsewhere.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import workspace
from workspace.core.config import WorkspaceSettings

LIB_DIR = str(Path(workspace.__file__).resolve().parents[1])


def script_environment(
    settings: WorkspaceSettings,
    *,
    project_id: str,
    api_key: str | None,
    layers: list[Mapping[str, str]],
    base: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """``base`` (default: this process's environment, which carries the ``LAB_*`` catalog
    settings) overlaid with ``layers`` and the workspace variables."""
    env = dict(os.environ if base is None else base)
    env.pop("LAB_API_KEY", None)  # never hand the server's own key to a script
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
    if api_key:
        env["LAB_API_KEY"] = api_key
    env["PYTHONPATH"] = os.pathsep.join(p for p in (LIB_DIR, env.get("PYTHONPATH")) if p)
    return env
