"""HTTP for the client: one urllib3 pool, JSON in and out, and CML's ``ApiException``.

Why urllib3 and not requests: it is what CML's generated client speaks, so code that catches
``urllib3`` errors around ``cmlapi`` keeps working, and it is the smaller dependency.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import urllib3


class ApiException(Exception):
    """An answer with an error status: ``status``, ``reason``, ``body`` (the spec's error body
    ``{"error", "code", "message", "details"}`` as text) and ``headers``, as CML's client has."""

    def __init__(
        self,
        status: int | None = None,
        reason: str | None = None,
        http_resp: urllib3.BaseHTTPResponse | None = None,
    ) -> None:
        if http_resp is not None:
            status = http_resp.status
            reason = http_resp.reason
            self.body: str | None = http_resp.data.decode("utf-8", "replace")
            self.headers: Mapping[str, str] | None = http_resp.headers
        else:
            self.body = None
            self.headers = None
        self.status = status
        self.reason = reason
        super().__init__(status, reason)

    def __str__(self) -> str:
        text = f"({self.status})\nReason: {self.reason}\n"
        if self.headers:
            text += f"HTTP response headers: {dict(self.headers)}\n"
        if self.body:
            text += f"HTTP response body: {self.body}\n"
        return text


def _query_value(value: Any) -> str:
    """Booleans as the gateway reads them (``true``); a dict or list as JSON, since CML code
    passes ``search_filter={"kernel": "Python 3.9"}`` as often as its ``json.dumps``; the rest
    as text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


class RESTClient:
    """Sends one request and answers the decoded JSON (``None`` for an empty body)."""

    def __init__(self, verify_ssl: bool = True, timeout: float | None = None) -> None:
        self.pool = urllib3.PoolManager(cert_reqs="CERT_REQUIRED" if verify_ssl else "CERT_NONE")
        self.timeout = timeout

    def request(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        query: Mapping[str, Any] | None = None,
        body: Any = None,
    ) -> Any:
        params = {k: _query_value(v) for k, v in (query or {}).items() if v is not None}
        if params:
            url = f"{url}?{urlencode(params)}"
        data = None if body is None else json.dumps(body).encode()
        headers = {"Accept": "application/json", **headers}
        if data is not None:
            headers["Content-Type"] = "application/json"
        resp = self.pool.request(
            method, url, body=data, headers=headers, timeout=self.timeout, preload_content=True
        )
        if not 200 <= resp.status < 300:
            raise ApiException(http_resp=resp)
        return json.loads(resp.data) if resp.data.strip() else None
