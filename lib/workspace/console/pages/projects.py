"""Projects: the list, creating one (git URL or a server folder), a project's page with its
environment, collaborators and roles, jobs (drawn as a graph), models and its session."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from workspace import schemas
from workspace.console import job_graph, notebooks, queries
from workspace.console.auth import Checked, FormDep, SignedIn, Viewer, project_access
from workspace.console.outcome import Refused, attempt
from workspace.console.render import TimedRoute, page
from workspace.server.api.deps import ProjectAccess, ServicesDep, SessionDep
from workspace.server.api.routes import collaborators as collaborator_routes
from workspace.server.api.routes import projects as project_routes
from workspace.server.storage import tables as db
from workspace.server.wiring import Services

router = APIRouter(route_class=TimedRoute)
PROJECT_FIELDS = ("name", "git_url", "local_path", "template", "description")


def _projects_page(
    request: Request, who: Viewer, session: SessionDep, offset: int, **context: object
) -> Response:
    stmt = select(db.Project).where(*queries.visible(who.user, db.Project.id))
    listing = queries.paged(
        session, stmt.order_by(db.Project.created_at.desc(), db.Project.id), offset
    )
    ids = [p.id for p in listing.rows]
    return page(
        request,
        "projects.html",
        who,
        listing=listing,
        roles=queries.roles_in(session, who.user, listing.rows),
        models=queries.counts(session, db.Model.project_id, ids),
        jobs=queries.counts(session, db.Job.project_id, ids),
        **context,
    )


@router.get("/projects")
def list_projects(request: Request, who: Viewer, session: SessionDep, offset: int = 0) -> Response:
    return _projects_page(request, who, session, offset, form={}, errors={})


@router.post("/projects")
def create_project(
    request: Request, who: Checked, session: SessionDep, form: FormDep, services: ServicesDep
) -> Response:
    """The API's own create: a git project answers at once and clones in the background."""
    fields = {k: form.get(k, "").strip() for k in PROJECT_FIELDS}
    template = fields["template"] or "git"
    try:
        if not fields["name"]:
            raise Refused("give the project a name", "name")
        body = attempt(
            lambda: schemas.ProjectCreate(
                name=fields["name"],
                description=fields["description"],
                template=template,
                git_url=fields["git_url"] or None,
                local_path=fields["local_path"] or None,
            ),
            PROJECT_FIELDS,
        )
        project = attempt(
            lambda: project_routes.create_project(body, who.user, session, services.projects),
            PROJECT_FIELDS,
        )
    except Refused as refused:
        session.rollback()
        errors = refused.errors if refused.field else {"form": refused.message}
        return _projects_page(request, who, session, 0, form=fields, errors=errors, status_code=400)
    return RedirectResponse(f"/projects/{project.id}", status_code=303)


@router.get("/projects/{project_id}")
def project_page(
    request: Request, project_id: str, who: Viewer, session: SessionDep, services: ServicesDep
) -> Response:
    access = project_access(session, who, project_id, "viewer")
    return _project(request, who, session, services, access, errors={})


def project_with_errors(
    request: Request,
    who: SignedIn,
    session: Session,
    services: Services,
    access: ProjectAccess,
    errors: dict[str, str],
    form: dict[str, str],
    form_name: str,
) -> Response:
    """The project page answering 400, the refused form (``form_name``) as it was typed."""
    return _project(request, who, session, services, access, errors, 400, {form_name: form})


def _project(
    request: Request,
    who: SignedIn,
    session: Session,
    services: Services,
    access: ProjectAccess,
    errors: dict[str, str],
    status_code: int = 200,
    forms: dict[str, dict[str, str]] | None = None,
) -> Response:
    """The project page: jobs (at most 200) with the graph, models (one page), people."""
    project = access.project
    jobs = session.scalars(
        select(db.Job).where(db.Job.project_id == project.id).order_by(db.Job.created_at).limit(200)
    ).all()
    models = session.scalars(
        select(db.Model)
        .where(db.Model.project_id == project.id)
        .order_by(db.Model.created_at.desc())
        .limit(queries.PAGE_SIZE)
    ).all()
    graph = job_graph.layout(
        [(j.id, j.name, j.parent_job_id, j.latest_run_status or "") for j in jobs]
    )
    return page(
        request,
        "project.html",
        who,
        status_code=status_code,
        project=project,
        role=access.role,
        jobs=jobs,
        graph=graph,
        models=models,
        serving=queries.newest_deployments(session, [m.id for m in models]),
        collaborators=queries.collaborators(session, project),
        environment="\n".join(f"{k}={v}" for k, v in sorted(project.environment.items())),
        session_state=notebooks.state(services, project.id),
        runtimes=services.runtimes.runtimes,
        errors=errors,
        forms=forms or {},
    )


def parse_environment(text: str) -> dict[str, str]:
    """``KEY=value`` lines (blank lines and ``#`` comments skipped) → a dict; a line without
    ``=`` is refused naming it."""
    environment = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise Refused(f"line {number} is not KEY=value: {line[:40]!r}", "environment")
        environment[key.strip()] = value
    return environment


@router.post("/projects/{project_id}/environment")
def update_environment(
    request: Request,
    project_id: str,
    who: Checked,
    session: SessionDep,
    form: FormDep,
    services: ServicesDep,
) -> Response:
    access = project_access(session, who, project_id, "admin")
    try:
        environment = parse_environment(form.get("environment", ""))
        body = attempt(lambda: schemas.ProjectUpdate(environment=environment), ["environment"])
        attempt(lambda: project_routes.update_project(body, access, session), ["environment"])
    except Refused as refused:
        session.rollback()
        errors = {"environment": refused.message}
        return _project(request, who, session, services, access, errors, status_code=400)
    return RedirectResponse(f"/projects/{project_id}#environment", status_code=303)


@router.post("/projects/{project_id}/collaborators")
def add_collaborator(
    request: Request,
    project_id: str,
    who: Checked,
    session: SessionDep,
    form: FormDep,
    services: ServicesDep,
) -> Response:
    access = project_access(session, who, project_id, "admin")
    username = form.get("username", "").strip()
    try:
        body = attempt(
            lambda: schemas.CollaboratorIn(permission=form.get("permission", "viewer")),
            ["permission"],
        )
        if not username:
            raise Refused("give the username of a workspace user", "username")
        attempt(
            lambda: collaborator_routes.add_project_collaborator(username, body, access, session),
            ["username"],
        )
    except Refused as refused:
        session.rollback()
        errors = {f"collaborator_{refused.field or 'username'}": refused.message}
        return _project(request, who, session, services, access, errors, status_code=400)
    return RedirectResponse(f"/projects/{project_id}#collaborators", status_code=303)


@router.post("/projects/{project_id}/collaborators/{username}/remove")
def remove_collaborator(
    project_id: str, username: str, who: Checked, session: SessionDep
) -> Response:
    access = project_access(session, who, project_id, "admin")
    collaborator_routes.delete_project_collaborator(username, access, session)
    return RedirectResponse(f"/projects/{project_id}#collaborators", status_code=303)


@router.post("/projects/{project_id}/session/{action}")
def session_action(
    project_id: str, action: str, who: Checked, session: SessionDep, services: ServicesDep
) -> Response:
    """Start or stop the project's JupyterLab (operators and admins)."""
    access = project_access(session, who, project_id, "operator")
    if action == "start":
        notebooks.start(services, access.project, who.user)
    elif action == "stop":
        notebooks.stop(services, project_id)
    else:
        raise HTTPException(404, f"no session action '{action}': use start or stop")
    return RedirectResponse(f"/projects/{project_id}#session", status_code=303)
