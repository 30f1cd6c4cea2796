"""The web console: the workspace in a browser, served at ``/`` on the API's port.

Server-rendered pages (Jinja2) with a little htmx and plain JavaScript; every asset is vendored
at setup (``python -m workspace.console fetch``) so the console works offline. Pages read
through the API's own route functions and services, so what the console shows and refuses is
what the API would.

    from workspace.console import install
    install(app)   # after the API's routers: /api/v2, /model and /metrics keep their paths
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from workspace.console.auth import SignInRequired, sign_in_redirect
from workspace.console.pages import assets, jobs, models, projects, signin
from workspace.console.render import HERE
from workspace.console.sessions import SessionStore


def install(app: FastAPI, *, session_ttl_s: float) -> None:
    """Mount the console on ``app``: its pages, its static files and ``/docs``."""
    app.state.console_sessions = SessionStore(session_ttl_s)
    app.add_exception_handler(SignInRequired, sign_in_redirect)
    app.mount("/static/console", StaticFiles(directory=HERE / "static"), name="console-static")
    for module in (assets, signin, projects, jobs, models):  # pages, not API: kept out of /docs
        app.include_router(module.router, include_in_schema=False)
