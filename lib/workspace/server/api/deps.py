"""Dependency aliases (``SessionDep``, ``CurrentUser``, ``Viewer``, ``BuilderDep``...) so routes
stay short and name only what they use.

Authorization lives here in one place: every control-plane route needs a bearer API key, and
project routes need the caller's role in that project to be at least what the route asks. The
services come from ``app.state.services`` (built by ``workspace.server.wiring``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, HTTPException, Request
from sqlalchemy import CompoundSelect, select
from sqlalchemy.orm import Session

from workspace.core.config import WorkspaceSettings
from workspace.schemas.common import ROLE_RANK
from workspace.server.endpoint.index import ModelIndex
from workspace.server.services.alerts import Alerts
from workspace.server.services.builds import Builder
from workspace.server.services.deployments import Deployer
from workspace.server.services.project_files import ProjectFiles
from workspace.server.services.registry import Registry
from workspace.server.services.runtimes import RuntimeCatalog
from workspace.server.services.scheduler import JobService
from workspace.server.services.telemetry import Telemetry
from workspace.server.storage import crud
from workspace.server.storage import tables as db
from workspace.server.wiring import Services
from workspace.serving.backend import ServingBackend

Row = TypeVar("Row")


def get_services(request: Request) -> Services:
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]


def _service(name: str) -> Callable[[Request], object]:
    """A dependency handing a route one service by its name on ``Services``."""

    def dependency(request: Request) -> object:
        return getattr(request.app.state.services, name)

    return dependency


SettingsDep = Annotated[WorkspaceSettings, Depends(_service("settings"))]
BuilderDep = Annotated[Builder, Depends(_service("builder"))]
DeployerDep = Annotated[Deployer, Depends(_service("deployer"))]
JobsDep = Annotated[JobService, Depends(_service("jobs"))]
IndexDep = Annotated[ModelIndex, Depends(_service("index"))]
BackendDep = Annotated[ServingBackend, Depends(_service("backend"))]
TelemetryDep = Annotated[Telemetry, Depends(_service("telemetry"))]
ProjectFilesDep = Annotated[ProjectFiles, Depends(_service("projects"))]
RuntimesDep = Annotated[RuntimeCatalog, Depends(_service("runtimes"))]
RegistryDep = Annotated[Registry, Depends(_service("registry"))]
AlertsDep = Annotated[Alerts, Depends(_service("alerts"))]


def get_session(services: ServicesDep) -> Iterator[Session]:
    with services.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def user_of_authorization(session: Session, header: str) -> db.User:
    """The user whose bearer key is in the ``Authorization`` header; 401 when it is missing or
    unknown. Shared by the routes and the body guard that runs before them."""
    scheme, _, key = header.partition(" ")
    if not header:
        raise HTTPException(401, "missing API key: send 'Authorization: Bearer <LAB_API_KEY>'")
    if scheme.lower() != "bearer" or not key.strip():
        raise HTTPException(401, "malformed Authorization header: expected 'Bearer <API key>'")
    user = crud.user_with_key(session, key.strip())
    if user is None:
        raise HTTPException(401, "invalid API key")
    return user


def get_current_user(request: Request, session: SessionDep) -> db.User:
    """The user whose bearer key came with the request; 401 when it is missing or unknown."""
    return user_of_authorization(session, request.headers.get("authorization", ""))


CurrentUser = Annotated[db.User, Depends(get_current_user)]


def require_site_admin(user: CurrentUser) -> db.User:
    if not user.is_admin:
        raise HTTPException(403, f"user '{user.username}' is not a workspace admin")
    return user


SiteAdmin = Annotated[db.User, Depends(require_site_admin)]


def role_in(session: Session, user: db.User, project: db.Project) -> str | None:
    """The user's permission in the project: owner and workspace admins are project admins."""
    if user.is_admin or project.creator_id == user.id:
        return "admin"
    row = session.get(db.Collaborator, (project.id, user.id))
    return row.permission if row else None


def visible_projects(user: db.User) -> CompoundSelect | None:
    """The ids of the projects ``user`` may see (owner or collaborator); None for a workspace
    admin, who sees them all."""
    if user.is_admin:
        return None
    shared = select(db.Collaborator.project_id).where(db.Collaborator.user_id == user.id)
    own = select(db.Project.id).where(db.Project.creator_id == user.id)
    return own.union(shared)


@dataclass
class ProjectAccess:
    project: db.Project
    user: db.User
    role: str


def project_role(minimum: str) -> Callable[..., ProjectAccess]:
    """A dependency that loads ``project_id`` and checks the caller holds at least ``minimum``."""

    def dependency(project_id: str, user: CurrentUser, session: SessionDep) -> ProjectAccess:
        project = session.get(db.Project, project_id)
        if project is None:
            raise HTTPException(404, f"project '{project_id}' not found")
        role = role_in(session, user, project)
        if role is None:
            raise HTTPException(
                403, f"user '{user.username}' is not a collaborator of project '{project.name}'"
            )
        if ROLE_RANK[role] < ROLE_RANK[minimum]:
            raise HTTPException(
                403,
                f"user '{user.username}' is a {role} of project '{project.name}'; "
                f"this needs {minimum} or higher",
            )
        return ProjectAccess(project=project, user=user, role=role)

    return dependency


Viewer = Annotated[ProjectAccess, Depends(project_role("viewer"))]
Operator = Annotated[ProjectAccess, Depends(project_role("operator"))]
ProjectAdmin = Annotated[ProjectAccess, Depends(project_role("admin"))]


def owned_or_404(
    session: Session, kind: type[Row], row_id: str, parent: tuple[str, str], noun: str
) -> Row:
    """The ``kind`` row ``row_id`` if it belongs to the parent ``(field, id)``, else a 404 naming
    both: a row of another project, model or job answers as if it did not exist."""
    field, parent_id = parent
    row = session.get(kind, row_id)
    if row is None or getattr(row, field) != parent_id:
        parent_noun = field.removesuffix("_id")
        raise HTTPException(404, f"{noun} '{row_id}' not found in {parent_noun} '{parent_id}'")
    return row
