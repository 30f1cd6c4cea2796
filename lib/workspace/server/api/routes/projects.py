"""Projects: created from a local folder or a git URL, with environment variables and roles."""

from __future__ import annotations

import shutil

from fastapi import APIRouter, HTTPException
from sqlalchemy import or_, select

from workspace.core.security import new_id
from workspace.server import db, schemas
from workspace.server.api.deps import (
    CurrentUser,
    ProjectAdmin,
    SessionDep,
    Viewer,
    WorkspaceDep,
    role_in,
)
from workspace.server.api.listing import ListParamsDep, paginate
from workspace.server.api.views import project_out
from workspace.server.job_schemas import ACTIVE_RUN_STATES
from workspace.server.project_files import ProjectFilesError, clone_git, copy_local, make_blank

router = APIRouter(prefix="/projects", tags=["projects"])

ACTIVE = ("pending", "deploying", "deployed", "stopping")


@router.post("", response_model=schemas.ProjectOut)
def create_project(
    body: schemas.ProjectCreate, user: CurrentUser, session: SessionDep, ws: WorkspaceDep
) -> schemas.ProjectOut:
    if body.template == "local" and not body.local_path:
        raise HTTPException(400, "template 'local' needs local_path (a folder on the server)")
    if body.template == "git" and not body.git_url:
        raise HTTPException(400, "template 'git' needs git_url")
    project = db.Project(
        id=new_id(),
        name=body.name,
        description=body.description,
        template=body.template,
        local_path=body.local_path,
        git_url=body.git_url,
        environment=body.environment,
        creator_id=user.id,
    )
    dest = ws.settings.projects_dir / project.id
    if body.template == "git":
        # Cloning can take minutes: answer now, clone in the background (status 'creating').
        session.add(project)
        session.commit()
        ws.executor.submit(_clone_in_background, ws, project.id, body.git_url, dest)
        return project_out(session, project, "admin")
    try:
        copy_local(body.local_path, dest) if body.template == "local" else make_blank(dest)
    except ProjectFilesError as exc:
        raise HTTPException(400, str(exc)) from None
    project.status = "success"
    session.add(project)
    session.commit()
    return project_out(session, project, "admin")


def _clone_in_background(ws, project_id: str, url: str, dest) -> None:
    status, reason = "success", None
    try:
        clone_git(url, dest)
    except ProjectFilesError as exc:
        status, reason = "failed", str(exc)
    with ws.session() as session:
        project = session.get(db.Project, project_id)
        if project is not None:
            project.status, project.failure_reason = status, reason
            session.commit()


@router.get("", response_model=schemas.ProjectList)
def list_projects(
    user: CurrentUser, session: SessionDep, params: ListParamsDep
) -> schemas.ProjectList:
    where = []
    if not user.is_admin:
        mine = select(db.Collaborator.project_id).where(db.Collaborator.user_id == user.id)
        where.append(or_(db.Project.creator_id == user.id, db.Project.id.in_(mine)))
    fields = {
        "name": db.Project.name,
        "description": db.Project.description,
        "status": db.Project.status,
    }
    rows, token = paginate(session, db.Project, where, params, fields)
    projects = [project_out(session, p, role_in(session, user, p) or "viewer") for p in rows]
    return schemas.ProjectList(projects=projects, next_page_token=token)


@router.get("/{project_id}", response_model=schemas.ProjectOut)
def get_project(access: Viewer, session: SessionDep) -> schemas.ProjectOut:
    return project_out(session, access.project, access.role)


@router.patch("/{project_id}", response_model=schemas.ProjectOut)
def update_project(
    body: schemas.ProjectUpdate, access: ProjectAdmin, session: SessionDep
) -> schemas.ProjectOut:
    """Change the description or replace the project's environment variables."""
    project = access.project
    if body.description is not None:
        project.description = body.description
    if body.environment is not None:
        project.environment = dict(body.environment)
    session.commit()
    return project_out(session, project, access.role)


@router.delete("/{project_id}", status_code=204)
def delete_project(access: ProjectAdmin, session: SessionDep, ws: WorkspaceDep) -> None:
    project = access.project
    running = session.scalar(
        select(db.Deployment.id).where(
            db.Deployment.project_id == project.id, db.Deployment.status.in_(ACTIVE)
        )
    )
    if running:
        raise HTTPException(
            409, f"project '{project.name}' has running deployments; stop them first"
        )
    active_run = session.scalar(
        select(db.JobRun.id).where(
            db.JobRun.project_id == project.id, db.JobRun.status.in_(ACTIVE_RUN_STATES)
        )
    )
    if active_run:
        raise HTTPException(409, f"project '{project.name}' has job runs in progress; stop them")
    for job_id in session.scalars(select(db.Job.id).where(db.Job.project_id == project.id)):
        ws.jobs.unschedule(job_id)
    session.delete(project)
    session.commit()
    shutil.rmtree(ws.settings.projects_dir / project.id, ignore_errors=True)
