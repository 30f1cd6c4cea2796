"""Runs of a job: start one, list and get them, ``:stop`` one, read its log while it runs."""

from __future__ import annotations

from fastapi import APIRouter, Query

from workspace import schemas as js
from workspace.processes.groups import log_tail
from workspace.schemas.common import shown_to
from workspace.schemas.states import JOB_RUNS_ACTIVE
from workspace.server.api.deps import JobsDep, Operator, SessionDep, Viewer, owned_or_404
from workspace.server.api.listing import ListParamsDep, paginate, user_fields
from workspace.server.api.routes.jobs import job_in_project
from workspace.server.storage import tables as db

router = APIRouter(prefix="/projects/{project_id}/jobs/{job_id}/runs", tags=["job runs"])

LOG_CAP_BYTES = 1024 * 1024


def run_in_job(session: SessionDep, project_id: str, job_id: str, run_id: str) -> db.JobRun:
    job_in_project(session, project_id, job_id)
    return owned_or_404(session, db.JobRun, run_id, ("job_id", job_id), "run")


@router.post("", response_model=js.JobRunOut)
def create_job_run(
    job_id: str, body: js.JobRunCreate, access: Operator, session: SessionDep, jobs: JobsDep
) -> js.JobRunOut:
    """Start a run now; it answers at once in 'scheduling' and runs in the background."""
    job = job_in_project(session, access.project.id, job_id)
    run = jobs.run(
        job,
        triggered_by="manual",
        creator_id=access.user.id,
        arguments=body.arguments,
        environment=body.environment,
    )
    return js.JobRunOut.model_validate(session.get(db.JobRun, run.id) or run)


@router.get("", response_model=js.JobRunList)
def list_job_runs(
    job_id: str, access: Viewer, session: SessionDep, params: ListParamsDep
) -> js.JobRunList:
    job_in_project(session, access.project.id, job_id)
    fields = {
        "status": db.JobRun.status,
        "triggered_by": db.JobRun.triggered_by,
        **user_fields(db.JobRun.creator_id),
    }
    rows, token = paginate(session, db.JobRun, [db.JobRun.job_id == job_id], params, fields)
    shown = [shown_to(js.JobRunOut.model_validate(r), access.role) for r in rows]
    return js.JobRunList(job_runs=shown, next_page_token=token)


@router.get("/{run_id}", response_model=js.JobRunOut)
def get_job_run(job_id: str, run_id: str, access: Viewer, session: SessionDep) -> js.JobRunOut:
    run = run_in_job(session, access.project.id, job_id, run_id)
    return shown_to(js.JobRunOut.model_validate(run), access.role)


@router.post("/{run_id}:stop", response_model=js.JobRunOut)
def stop_job_run(
    job_id: str, run_id: str, access: Operator, session: SessionDep, jobs: JobsDep
) -> js.JobRunOut:
    """Ask an active run to stop (its process group gets SIGTERM, then SIGKILL); a run that
    already ended is answered as it is."""
    run = run_in_job(session, access.project.id, job_id, run_id)
    if run.status in JOB_RUNS_ACTIVE:
        jobs.stop(run.id)
    return js.JobRunOut.model_validate(run)


@router.get("/{run_id}/logs", response_model=js.JobRunLog)
def read_job_run_logs(
    job_id: str,
    run_id: str,
    access: Viewer,
    session: SessionDep,
    jobs: JobsDep,
    tail: int = Query(default=0, ge=0, description="Last N lines only; 0: all (up to 1 MB)."),
) -> js.JobRunLog:
    """The run's output so far: scripts run unbuffered, so this grows while the run goes on."""
    run = run_in_job(session, access.project.id, job_id, run_id)
    text = log_tail(jobs.runner.log_path(run.id), lines=tail, max_bytes=LOG_CAP_BYTES)
    return js.JobRunLog(log=text, status=run.status)
