"""Sign in with an API key, sign out; ``/`` leads to the projects.

The key is checked once, here; the browser then holds only a random session id (HttpOnly,
SameSite=Strict). The sign-in form itself carries a token matched against a cookie set with the
form (double submit), so another site cannot sign a browser in to an account of its choosing.
"""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from workspace.console.auth import Checked, FormDep, safe_next, session_store
from workspace.console.render import TimedRoute, page
from workspace.console.sessions import COOKIE
from workspace.server.api.deps import SessionDep
from workspace.server.storage import crud

router = APIRouter(route_class=TimedRoute)
SIGNIN_COOKIE = "lab_console_signin"


@router.get("/")
def home() -> Response:
    return RedirectResponse("/projects", status_code=303)


def _form(request: Request, next_path: str, status_code: int = 200, **context) -> Response:
    token = secrets.token_urlsafe(24)
    response = page(
        request, "signin.html", None, status_code, next=next_path, signin_token=token, **context
    )
    response.set_cookie(
        SIGNIN_COOKIE, token, httponly=True, samesite="strict", path="/signin", max_age=900
    )
    return response


@router.get("/signin")
def signin_form(request: Request, next: str = "/projects", expired: bool = False) -> Response:
    message = "Your session has ended: sign in again." if expired else ""
    return _form(request, safe_next(next), notice=message, errors={})


@router.post("/signin")
def sign_in(request: Request, form: FormDep, session: SessionDep) -> Response:
    next_path = safe_next(form.get("next", "/projects"))
    sent, expected = form.get("signin_token", ""), request.cookies.get(SIGNIN_COOKIE, "")
    if not expected or not secrets.compare_digest(sent.encode(), expected.encode()):
        errors = {"form": "the sign-in form expired: enter the key again"}
        return _form(request, next_path, 403, notice="", errors=errors)
    key = form.get("api_key", "").strip()
    user = crud.user_with_key(session, key) if key else None
    if user is None:
        message = "enter your API key" if not key else "that API key is not valid: check it"
        return _form(request, next_path, 401, notice="", errors={"api_key": message})
    opened = session_store(request).open(user.id)
    response = RedirectResponse(next_path, status_code=303)
    # No Max-Age: the server ends the session (and says so); the browser forgets it on exit.
    response.set_cookie(
        COOKIE,
        opened.id,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    response.delete_cookie(SIGNIN_COOKIE, path="/signin")
    return response


@router.post("/signout")
def sign_out(request: Request, who: Checked) -> Response:
    session_store(request).close(who.session.id)
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response
