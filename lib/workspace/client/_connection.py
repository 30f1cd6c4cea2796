"""``Connection``: what every call of the client needs, the HTTP session and a default project.

Why a class of its own under ``WorkspaceClient``: the call modules take a connection and need
nothing more, so none of them imports the client back, and the client is only the table that
lists them.
"""

from __future__ import annotations

import os

from workspace.client._http import V2, HttpSession


class Connection:
    """The HTTP session to one workspace, and the project a call means when it names none."""

    def __init__(
        self,
        api_url: str | None = None,
        api_key: str | None = None,
        *,
        project_id: str | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.http = HttpSession(api_url, api_key, timeout)
        self.project_id = project_id or os.environ.get("LAB_PROJECT_ID")

    @property
    def api_url(self) -> str:
        return self.http.api_url

    def _project_path(self, project_id: str | None) -> str:
        """``/api/v2/projects/<id>``, the given project or else the connection's own."""
        pid = project_id or self.project_id
        if not pid:
            raise TypeError("project_id is required (or set LAB_PROJECT_ID)")
        return f"{V2}/projects/{pid}"
