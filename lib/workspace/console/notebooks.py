"""A project's JupyterLab session from the console: whether it runs, starting and stopping it.

Why in the background: JupyterLab takes seconds to answer, longer than a page should wait; the
page says "starting" meanwhile and shows the link once it answers. The session gets a key of its
own for whoever started it (user code acts with their rights), revoked when it is stopped.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future

from workspace.processes.accounts import account_of
from workspace.processes.environment import ProjectIdentity
from workspace.processes.groups import still_ours
from workspace.server.storage import crud
from workspace.server.storage import tables as db
from workspace.server.wiring import Services
from workspace.session import SessionInfo, find_session, launch_session, stop_session

_starting: dict[str, Future] = {}
_keys: dict[str, str] = {}
_lock = threading.Lock()


def running(services: Services, project_id: str) -> SessionInfo | None:
    """The project's session if its JupyterLab still runs."""
    info = find_session(services.settings, project_id)
    return info if info is not None and still_ours(info.pid, info.started) else None


def state(services: Services, project_id: str) -> tuple[str, SessionInfo | None, str]:
    """``("running", info, "")``, ``("starting", None, "")``, ``("failed", None, why)`` or
    ``("stopped", None, "")``."""
    with _lock:
        future = _starting.get(project_id)
    if future is not None and not future.done():
        return "starting", None, ""
    info = running(services, project_id)
    if info is not None:
        return "running", info, ""
    if future is not None and future.exception() is not None:
        return "failed", None, str(future.exception()).splitlines()[0]
    return "stopped", None, ""


def start(services: Services, project: db.Project, user: db.User) -> None:
    """Start JupyterLab for ``project`` as ``user``, in the background (once at a time)."""
    with _lock:
        busy = _starting.get(project.id)
        if busy is not None and not busy.done():
            return
        with services.sessions() as session:
            key_id, key = crud.issue_key(
                session, session.get(db.User, user.id), name=f"session of {project.name}"
            )
            session.commit()
        _keys[project.id] = key_id
        identity = ProjectIdentity(project.id, project.name, project.creator.username)
        _starting[project.id] = services.executor.submit(
            launch_session,
            services.settings,
            identity,
            dict(project.environment),
            key,
            run_as=account_of(services.accounts, project.id),
        )


def stop(services: Services, project_id: str) -> None:
    stop_session(services.settings, project_id)
    with _lock:
        key_id = _keys.pop(project_id, None)
        _starting.pop(project_id, None)
    if key_id is not None:
        with services.sessions() as session:
            crud.revoke_key(session, key_id)
            session.commit()
