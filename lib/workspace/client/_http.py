"""The one HTTP session of the client: base URL, bearer key, JSON in and out, errors mapped to the
tree in ``_errors``.

Why ``requests``: it is what CML's own clients and most lab notebooks already use; a session keeps
connections alive across the polling that ``wait_for_*`` does.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, TypedDict

import requests
from pydantic import BaseModel

from workspace.client._errors import (
    ApiError,
    ConnectError,
    RequestTimeout,
    TransportError,
    error_for,
)
from workspace.core.config import get_settings

V2 = "/api/v2"


class ListParams(TypedDict, total=False):
    """What every list call takes, as CML API v2 names it.

    ``search_filter`` is a JSON object (a dict is encoded for you), e.g. ``{"name": "PRD"}``;
    ``sort`` a field name, ``-`` first for descending; ``page_token`` the previous page's
    ``next_page_token``.
    """

    search_filter: dict[str, Any] | str | None
    sort: str | None
    page_size: int | None
    page_token: str | None


USER_CODE_MARKERS = ("LAB_PROJECT_ID", "CDSW_PROJECT_ID", "CDSW_APIV2_KEY")
"""Variables the workspace sets in every child it starts for user code (a job, a replica...)."""


def default_api_key() -> str | None:
    """LAB_API_KEY (or CML's CDSW_APIV2_KEY), else, outside user code only, the admin key
    `workspace up` saved for the CLI and scripts of the server's own account.

    Why never inside user code: a job or a model would otherwise act as the workspace's admin
    whenever its own key is missing; there it has its own scoped key or none at all."""
    key = os.environ.get("LAB_API_KEY") or os.environ.get("CDSW_APIV2_KEY")
    if key:
        return key
    if any(os.environ.get(name) for name in USER_CODE_MARKERS):
        return None
    path = Path(os.environ.get("LAB_HOME") or get_settings().lab_home) / "credentials.json"
    try:
        return json.loads(path.read_text()).get("api_key")
    except (OSError, ValueError):
        return None


def request_body(body: Any, fields: dict[str, Any], *, keep_none: bool = False) -> dict[str, Any]:
    """A request object, a dict, or keyword fields → the JSON body.

    Fields left ``None`` are dropped so the server applies its defaults, except for updates
    (``keep_none``), where the request object says which fields were set.
    """
    if isinstance(body, BaseModel):
        data = body.model_dump(mode="json", exclude_unset=keep_none)
    else:
        data = dict(body or {})
    data.update(fields)
    return data if keep_none else {k: v for k, v in data.items() if v is not None}


def list_query(params: ListParams) -> dict[str, Any]:
    """List parameters as query parameters: the search filter as JSON, unset ones left out."""
    query: dict[str, Any] = dict(params)
    if isinstance(query.get("search_filter"), dict):
        query["search_filter"] = json.dumps(query["search_filter"])
    return query


class HttpSession:
    """One keep-alive session to the workspace; ``request`` returns decoded JSON or raises."""

    def __init__(self, api_url: str | None, api_key: str | None, timeout: float) -> None:
        url = api_url or os.environ.get("LAB_API_URL") or get_settings().server_url
        self.api_url = url.rstrip("/")
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
        if params:
            params = {k: v for k, v in params.items() if v is not None and v != ""}
        wait = timeout or self.timeout
        try:
            response = self.session.request(
                method, self.api_url + path, json=json_body, params=params, timeout=wait
            )
        except (requests.ConnectTimeout, requests.ConnectionError):
            raise ConnectError(
                f"cannot reach the workspace at {self.api_url}: start it with `workspace up`"
            ) from None
        except requests.Timeout:
            raise RequestTimeout(f"{method} {path}: no answer within {wait:g} s") from None
        except requests.RequestException as exc:
            raise TransportError(f"{method} {path}: {exc}") from None
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
            raise ApiError(
                f"{method} {path}: the answer is not JSON; is {self.api_url} the workspace?",
                status_code=response.status_code,
            )
        return data
