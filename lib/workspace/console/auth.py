"""Who is signed in to the console, what they may do, and the CSRF check on every POST.

Why dependencies: each page names what it needs (``Viewer`` to read, ``Checked`` to change), so a
route cannot forget the session or the CSRF token. Roles are the API's own (``project_role``): an
action a role may not take is refused with the same 403 the API gives.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import parse_qsl, quote

from fastapi import Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from workspace.console.sessions import COOKIE, ConsoleSession, SessionStore
from workspace.server.api.deps import ROLE_RANK, ProjectAccess, SessionDep, project_role
from workspace.server.storage import tables as db

FORM_CAP_BYTES = 256 * 1024


class SignInRequired(Exception):
    """No session (or an expired one): the browser goes to the sign-in page."""

    def __init__(self, next_path: str, *, expired: bool) -> None:
        super().__init__(next_path)
        self.next_path = next_path
        self.expired = expired


def sign_in_redirect(request: Request, exc: SignInRequired) -> Response:
    """To ``/signin`` with where to come back; an htmx request is told to go there itself."""
    target = f"/signin?next={quote(exc.next_path, safe='/')}" + (
        "&expired=1" if exc.expired else ""
    )
    if request.headers.get("hx-request"):
        return Response(status_code=401, headers={"HX-Redirect": target})
    response = RedirectResponse(target, status_code=303)
    if exc.expired:
        response.delete_cookie(COOKIE, path="/")
    return response


def session_store(request: Request) -> SessionStore:
    return request.app.state.console_sessions


@dataclass(frozen=True)
class SignedIn:
    user: db.User
    session: ConsoleSession

    def may(self, role: str | None, minimum: str) -> bool:
        """Whether a project role allows an action (what pages offer)."""
        return role is not None and ROLE_RANK[role] >= ROLE_RANK[minimum]


def signed_in(request: Request, session: SessionDep) -> SignedIn:
    sid = request.cookies.get(COOKIE, "")
    found = session_store(request).get(sid) if sid else None
    user = session.get(db.User, found.user_id) if found else None
    if found is None or user is None:
        where = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.method != "GET":  # come back to the page the form was on, not its action
            where = request.headers.get("hx-current-url") or request.headers.get("referer", "/")
        raise SignInRequired(safe_next(where), expired=bool(sid))
    return SignedIn(user=user, session=found)


def safe_next(path: str) -> str:
    """Only a path of this site is a place to come back to (no open redirect)."""
    if "://" in path:
        path = "/" + path.split("://", 1)[1].partition("/")[2]
    return path if path.startswith("/") and not path.startswith("//") else "/"


async def form_fields(request: Request) -> dict[str, str]:
    """The posted form (``application/x-www-form-urlencoded``, what forms and htmx send)."""
    body = await request.body()
    if len(body) > FORM_CAP_BYTES:
        raise HTTPException(413, f"form is larger than {FORM_CAP_BYTES // 1024} KB")
    return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))


FormDep = Annotated[dict[str, str], Depends(form_fields)]


def csrf_checked(request: Request, form: FormDep, who: Annotated[SignedIn, Depends(signed_in)]):
    """A POST must carry the session's CSRF token (htmx: a header; forms: a hidden field)."""
    sent = request.headers.get("x-csrf-token") or form.get("csrf_token", "")
    if not secrets.compare_digest(sent.encode(), who.session.csrf_token.encode()):
        raise HTTPException(403, "the form's CSRF token is missing or stale: reload the page")
    return who


Viewer = Annotated[SignedIn, Depends(signed_in)]
Checked = Annotated[SignedIn, Depends(csrf_checked)]


def project_access(
    session: SessionDep, who: SignedIn, project_id: str, minimum: str
) -> ProjectAccess:
    """The project and the caller's role in it, or the API's 404/403."""
    return project_role(minimum)(project_id, who.user, session)
