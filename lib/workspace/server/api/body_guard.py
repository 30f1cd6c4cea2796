"""The gate in front of ``/api/v2`` for requests that carry a body: the key first, then the size,
then the nesting, and only then does FastAPI parse it.

Why an ASGI wrapper and not a dependency: FastAPI reads and parses the whole body before any
dependency runs, so a route's key check came after a 64 MB upload had been read and parsed; here
a request without a valid key is refused before a byte of its body is read, and a keyed one is
read up to the cap (``Content-Length`` first, then a counter for chunked uploads).
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import HTTPException

from workspace.core.json_limits import nests_deeper_than
from workspace.server.api.deps import user_of_authorization
from workspace.server.api.errors import error_body

MB = 1024 * 1024


def _header(scope: dict, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


def _has_body(scope: dict) -> bool:
    length = _header(scope, b"content-length")
    return _header(scope, b"transfer-encoding") is not None or (length or "0") != "0"


def _limit_text(cap: int) -> str:
    return f"{cap / MB:g} MB" if cap >= MB else f"{cap} bytes"


class ApiBodyGuard:
    """Wraps the FastAPI app: requests under ``/api/v2`` with a body pass the gate first."""

    def __init__(self, app: Any, *, prefix: str = "/api/v2") -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(self.prefix) or not _has_body(scope):
            await self.app(scope, receive, send)
            return
        settings = self.app.state.settings
        refusal = await asyncio.to_thread(self._key_refusal, scope)
        if refusal is None:
            body, refusal = await self._read(scope, receive, settings.api_max_body_bytes)
            if refusal is None and nests_deeper_than(body, settings.max_json_depth):
                refusal = 400, f"JSON body nests deeper than {settings.max_json_depth} levels"
        if refusal is not None:
            await error_body(*refusal)(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)

    def _key_refusal(self, scope: dict) -> tuple[int, str] | None:
        with self.app.state.services.sessions() as session:
            try:
                user_of_authorization(session, _header(scope, b"authorization") or "")
            except HTTPException as exc:
                return exc.status_code, str(exc.detail)
        return None

    @staticmethod
    async def _read(scope: dict, receive: Any, cap: int) -> tuple[bytes, tuple[int, str] | None]:
        too_big = 413, f"request body exceeds the {_limit_text(cap)} limit of /api/v2"
        length = _header(scope, b"content-length")
        if length is not None and (not length.isdigit() or int(length) > cap):
            return b"", too_big if length.isdigit() else (400, "Content-Length is not a number")
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > cap:
                return b"", too_big
            chunks.append(chunk)
            more = message.get("more_body", False)
        return b"".join(chunks), None


def _replay(body: bytes, receive: Any) -> Any:
    """A ``receive`` that hands the app the body already read, then the client's own messages
    (a disconnect)."""
    sent = False

    async def replay() -> dict:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
