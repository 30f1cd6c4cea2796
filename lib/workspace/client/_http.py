"""The one HTTP session of the client: base URL, bearer key, JSON, errors mapped to the tree.

Why ``requests``: it is what CML's own clients and most lab notebooks already use; a session keeps
connections alive across the polling that ``wait_for_*`` does.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import requests

from workspace.client._errors import ConnectError, Timeout, WorkspaceError, error_for
from workspace.core.config import get_settings


def default_api_key() -> str | None:
    """LAB_API_KEY, else the admin key `workspace up` saved for scripts on this machine."""
    key = os.environ.get("LAB_API_KEY")
    if key:
        return key
    path = Path(os.environ.get("LAB_HOME") or get_settings().lab_home) / "credentials.json"
    try:
        return json.loads(path.read_text()).get("api_key")
    except (OSError, ValueError):
        return None


class HttpSession:
    def __init__(self, api_url: str | None, api_key: str | None, timeout: float) -> None:
        self.api_url = api_url or os.environ.get("LAB_API_URL") or get_settings().server_url
        self.api_url = self.api_url.rstrip("/")
        self.api_key = api_key or default_api_key()
        self.timeout = timeout
        self.session = requests.Session()
        if self.api_key:
            self.session.headers["Authorization"] = f"Bearer {self.api_key}"

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: dict[str, Any] | None = None,
        timeout: float | None = None,
    ) -> Any:
        """Send one call; return the decoded JSON (None for 204) or raise a ``WorkspaceError``."""
        url = self.api_url + path
        if params:
            params = {k: v for k, v in params.items() if v is not None and v != ""}
        try:
            response = self.session.request(
                method, url, json=json_body, params=params, timeout=timeout or self.timeout
            )
        except requests.Timeout:
            raise Timeout(
                f"{method} {path}: no answer within {timeout or self.timeout:g} s"
            ) from None
        except requests.ConnectionError:
            raise ConnectError(
                f"cannot reach the workspace at {self.api_url}: start it with `workspace up`"
            ) from None
        if response.ok and (response.status_code == 204 or not response.content):
            return None
        try:
            data = response.json()
        except ValueError:
            data = None
        if not response.ok:
            message = data.get("message") if isinstance(data, dict) else None
            raise error_for(response.status_code, message or response.text[:200] or response.reason)
        if data is None:
            raise WorkspaceError(f"{method} {path}: the server answered with no JSON")
        return data
