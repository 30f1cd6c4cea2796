"""Templates and the console's route class.

Why a route class: every console answer carries ``Server-Timing: app;dur=<ms>`` (the time from
routing to a rendered page, queries included), which the bench reads and browsers' developer
tools show, without a middleware in front of the API and the model endpoint.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Coroutine
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from workspace.console.auth import SignedIn
from workspace.server.storage.tables import utcnow

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")


def duration(start: datetime | None, end: datetime | None) -> str:
    """``1m 05s``: how long a run took (or has taken, when it has not ended)."""
    if start is None:
        return "–"
    seconds = int(((end or utcnow()) - start).total_seconds())
    minutes, seconds = divmod(max(seconds, 0), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {seconds:02d}s" if minutes else f"{seconds}s"


def when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else "–"


def short_status(status: str | None) -> str:
    """``ENGINE_SUCCEEDED`` → ``succeeded``: what a person reads."""
    return (status or "none").removeprefix("ENGINE_").lower()


templates.env.globals.update(duration=duration, when=when, short_status=short_status)


def page(
    request: Request, name: str, who: SignedIn | None, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """A template rendered with who is signed in and the CSRF token forms carry."""
    context |= {"who": who, "csrf": who.session.csrf_token if who else ""}
    return templates.TemplateResponse(request, name, context, status_code=status_code)


class TimedRoute(APIRoute):
    """An ``APIRoute`` that adds the server time of each answer as a ``Server-Timing`` header."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def timed(request: Request) -> Response:
            start = time.perf_counter()
            response = await handler(request)
            elapsed_ms = (time.perf_counter() - start) * 1000
            response.headers["Server-Timing"] = f"app;dur={elapsed_ms:.1f}"
            return response

        return timed
