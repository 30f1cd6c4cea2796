"""A project's JupyterLab session as the console shows it: running or not, and its address."""

from __future__ import annotations

from workspace.core.config import WorkspaceSettings
from workspace.session import SessionInfo, find_session, still_ours


def running(settings: WorkspaceSettings, project_id: str) -> SessionInfo | None:
    """The project's session if its JupyterLab still runs."""
    info = find_session(settings, project_id)
    return info if info is not None and still_ours(info.pid, info.started) else None
