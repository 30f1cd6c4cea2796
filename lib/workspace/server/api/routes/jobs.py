"""Jobs of a project (create, list, get, update, delete) and ``/jobs`` across projects.

A job is checked when it is written (script inside the project, cron expression, time zone,
parent without a cycle) and its schedule is (re)registered at once, so what the API answers and
what the scheduler will do never disagree.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from sqlalchemy import literal, select

from workspace import schemas as js
from workspace.core.security import new_id
from workspace.schemas.common import shown_to
from workspace.schemas.states import JOB_RUNS_ACTIVE
from workspace.server.api.deps import (
    CurrentUser,
    JobsDep,
    Operator,
    RuntimesDep,
    SessionDep,
    SettingsDep,
    Viewer,
    owned_or_404,
    role_in,
    visible_projects,
)
from workspace.server.api.listing import ListParamsDep, paginate, user_fields
from workspace.server.services.job_rules import validate_job
from workspace.server.services.scheduler import JobService
from workspace.server.storage import tables as db

router = APIRouter(prefix="/projects/{project_id}/jobs", tags=["jobs"])
all_jobs_router = APIRouter(prefix="/jobs", tags=["jobs"])

FIELDS = {
    "name": db.Job.name,
    "script": db.Job.script,
    "type": db.Job.type,
    "kernel": db.Job.kernel,
    "paused": db.Job.paused,
    "description": literal(""),
    **user_fields(db.Job.creator_id),
}
NOT_STORED = {
    "project_id", "type", "nvidia_gpu", "runtime_addon_identifiers", "recipients", "attachments",
    "success_recipients", "failure_recipients", "timeout_recipients", "stopped_recipients",
    "run_as",
}  # fmt: skip
"""Request fields that are the path's, derived, or CML settings this workspace does not act on."""


def job_in_project(session: SessionDep, project_id: str, job_id: str) -> db.Job:
    return owned_or_404(session, db.Job, job_id, ("project_id", project_id), "job")


def job_out(row: db.Job, jobs: JobService, role: str | None = "admin") -> js.JobOut:
    """The job with when its schedule fires next, which only the scheduler knows, as a caller
    with ``role`` may read it."""
    out = shown_to(js.JobOut.model_validate(row), role)
    return out.model_copy(update={"next_run_time": jobs.next_run_time(row.id)})


@router.post("", response_model=js.JobOut)
def create_job(
    body: js.JobCreate,
    access: Operator,
    session: SessionDep,
    jobs: JobsDep,
    settings: SettingsDep,
    runtimes: RuntimesDep,
) -> js.JobOut:
    job = db.Job(
        id=new_id(),
        project_id=access.project.id,
        creator_id=access.user.id,
        **body.model_dump(exclude=NOT_STORED, exclude_none=True),
    )
    job.kernel = runtimes.kernel_of(body.runtime_identifier, body.kernel)
    job.schedule = job.schedule or None
    validate_job(session, job, settings.projects_dir / job.project_id, body.type)
    session.add(job)
    session.commit()
    jobs.schedule(job)
    return job_out(job, jobs)


@router.get("", response_model=js.JobList)
def list_jobs(
    access: Viewer, session: SessionDep, jobs: JobsDep, params: ListParamsDep
) -> js.JobList:
    where = [db.Job.project_id == access.project.id]
    rows, token = paginate(session, db.Job, where, params, FIELDS)
    return js.JobList(jobs=[job_out(j, jobs, access.role) for j in rows], next_page_token=token)


@router.get("/{job_id}", response_model=js.JobOut)
def get_job(job_id: str, access: Viewer, session: SessionDep, jobs: JobsDep) -> js.JobOut:
    return job_out(job_in_project(session, access.project.id, job_id), jobs, access.role)


@router.patch("/{job_id}", response_model=js.JobOut)
def update_job(
    job_id: str,
    body: js.JobUpdate,
    access: Operator,
    session: SessionDep,
    jobs: JobsDep,
    settings: SettingsDep,
    runtimes: RuntimesDep,
) -> js.JobOut:
    """Change the fields sent; an empty ``schedule`` or ``parent_job_id`` removes it."""
    job = job_in_project(session, access.project.id, job_id)
    changes = body.model_dump(exclude_unset=True, exclude={"type"})
    if changes.get("runtime_identifier") is not None:
        job.kernel = runtimes.kernel_of(changes["runtime_identifier"])
    for name, value in changes.items():
        if name in ("schedule", "parent_job_id") and not value:
            value = None
        if value is not None or name in ("schedule", "parent_job_id"):
            setattr(job, name, value)
    validate_job(session, job, settings.projects_dir / job.project_id, body.type)
    session.commit()
    jobs.schedule(job)
    return job_out(job, jobs)


@router.delete("/{job_id}")
def delete_job(job_id: str, access: Operator, session: SessionDep, jobs: JobsDep) -> dict[str, str]:
    job = job_in_project(session, access.project.id, job_id)
    child = session.scalar(select(db.Job.name).where(db.Job.parent_job_id == job.id))
    if child:
        raise HTTPException(409, f"job '{child}' depends on '{job.name}'; delete or re-parent it")
    active = session.scalar(
        select(db.JobRun.id).where(
            db.JobRun.job_id == job.id, db.JobRun.status.in_(JOB_RUNS_ACTIVE)
        )
    )
    if active:
        raise HTTPException(409, f"job '{job.name}' has run '{active}' in progress; stop it first")
    jobs.unschedule(job.id)
    session.delete(job)
    session.commit()
    return {}  # the spec's empty Delete*Response


@all_jobs_router.get("", response_model=js.JobList)
def list_all_jobs(
    user: CurrentUser, session: SessionDep, jobs: JobsDep, params: ListParamsDep
) -> js.JobList:
    """Jobs of every project the caller can see (all of them for a workspace admin)."""
    visible = visible_projects(user)
    where = [] if visible is None else [db.Job.project_id.in_(visible)]
    fields = {**FIELDS, "project_id": db.Job.project_id}
    rows, token = paginate(session, db.Job, where, params, fields)
    roles = {
        pid: role_in(session, user, session.get(db.Project, pid))
        for pid in {j.project_id for j in rows}
    }
    shown = [job_out(j, jobs, roles[j.project_id]) for j in rows]
    return js.JobList(jobs=shown, next_page_token=token)
