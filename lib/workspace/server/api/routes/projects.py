"""Projects: created from a local folder or a git URL, with environment variables and roles."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from sqlalchemy import select

from workspace import schemas
from workspace.core.security import new_id
from workspace.processes.python_envs import project_env_path, remove_env
from workspace.schemas.states import DEPLOYMENTS_HOLDING_REPLICAS, JOB_RUNS_ACTIVE
from workspace.server.api.deps import (
    BuilderDep,
    CurrentUser,
    IndexDep,
    JobsDep,
    ProjectAdmin,
    ProjectFilesDep,
    SessionDep,
    SettingsDep,
    Viewer,
    role_in,
    visible_projects,
)
from workspace.server.api.listing import ListParamsDep, paginate, user_fields
from workspace.server.storage import tables as db

router = APIRouter(prefix="/projects", tags=["projects"])


def project_out(row: db.Project, role: str) -> schemas.ProjectOut:
    """The project as the caller sees it: its role in it is part of the answer."""
    return schemas.ProjectOut.model_validate(row).for_caller(role)


@router.post("", response_model=schemas.ProjectOut)
def create_project(
    body: schemas.ProjectCreate, user: CurrentUser, session: SessionDep, files: ProjectFilesDep
) -> schemas.ProjectOut:
    """A git project answers at once in 'creating' and clones in the background."""
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
    files.create(session, project, site_admin=user.is_admin)
    return project_out(project, "admin")


@router.get("", response_model=schemas.ProjectList)
def list_projects(
    user: CurrentUser, session: SessionDep, params: ListParamsDep
) -> schemas.ProjectList:
    visible = visible_projects(user)
    where = [] if visible is None else [db.Project.id.in_(visible)]
    fields = {
        "name": db.Project.name,
        "description": db.Project.description,
        "status": db.Project.status,
        **user_fields(db.Project.creator_id, "owner"),
    }
    rows, token = paginate(session, db.Project, where, params, fields)
    projects = [project_out(p, role_in(session, user, p) or "viewer") for p in rows]
    return schemas.ProjectList(projects=projects, next_page_token=token)


@router.get("/{project_id}", response_model=schemas.ProjectOut)
def get_project(access: Viewer) -> schemas.ProjectOut:
    return project_out(access.project, access.role)


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
    return project_out(project, access.role)


@router.delete("/{project_id}")
def delete_project(
    access: ProjectAdmin,
    session: SessionDep,
    jobs: JobsDep,
    files: ProjectFilesDep,
    builder: BuilderDep,
    index: IndexDep,
    settings: SettingsDep,
) -> dict[str, str]:
    """The project, its jobs (and their runs' logs), models, builds (snapshots and logs) and
    folder; refused while a deployment or a job run is live."""
    project = access.project
    running = session.scalar(
        select(db.Deployment.id).where(
            db.Deployment.project_id == project.id,
            db.Deployment.status.in_(DEPLOYMENTS_HOLDING_REPLICAS),
        )
    )
    if running:
        raise HTTPException(
            409, f"project '{project.name}' has running deployments; stop them first"
        )
    active_run = session.scalar(
        select(db.JobRun.id).where(
            db.JobRun.project_id == project.id, db.JobRun.status.in_(JOB_RUNS_ACTIVE)
        )
    )
    if active_run:
        raise HTTPException(409, f"project '{project.name}' has job runs in progress; stop them")
    for job_id in session.scalars(select(db.Job.id).where(db.Job.project_id == project.id)):
        jobs.unschedule(job_id)
    builds = session.scalars(select(db.Build.id).where(db.Build.project_id == project.id)).all()
    runs = session.scalars(select(db.JobRun.id).where(db.JobRun.project_id == project.id)).all()
    access_keys = session.scalars(
        select(db.Model.access_key).where(db.Model.project_id == project.id)
    ).all()
    session.delete(project)
    session.commit()
    files.remove(project.id)
    remove_env(project_env_path(settings, project.id))
    for build_id in builds:  # the snapshots and logs go with their project
        builder.forget(build_id)
    for run_id in runs:
        jobs.runner.log_path(run_id).unlink(missing_ok=True)
    for key in access_keys:  # its models' endpoints stop answering at once
        index.forget(key)
    if builder.accounts is not None:  # an account of its own, where projects have one
        builder.accounts.forget(project.id)
    return {}  # the spec's empty Delete*Response
