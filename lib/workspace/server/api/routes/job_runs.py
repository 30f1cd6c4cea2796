"""Runs of a job: start one, list and get them, ``:stop`` one, read its log while it runs."""

from __future__ import annotations

import os

from fastapi import APIRouter, Query

from workspace.server import db
from workspace.server import job_schemas as js
from workspace.server.api.deps import Operator, SessionDep, Viewer, WorkspaceDep, owned_or_404
from workspace.server.api.listing import ListParamsDep, paginate
from workspace.server.api.routes.jobs import job_in_project
from workspace.server.api.views import job_run_out

router = APIRouter(prefix="/projects/{project_id}/jobs/{job_id}/runs", tags=["job runs"])

LOG_CAP_BYTES = 1024 * 1024


def run_in_job(session: SessionDep, project_id: str, job_id: str, run_id: str) -> db.JobRun:
    job_in_project(session, project_id, job_id)
    return owned_or_404(session, db.JobRun, run_id, ("job_id", job_id), "run")


@router.post("", response_model=js.JobRunOut)
def create_job_run(
    job_id: str, body: js.JobRunCreate, access: Operator, session: SessionDep, ws: WorkspaceDep
) -> js.JobRunOut:
    """Start a run now; it answers at once in 'scheduling' and runs in the background."""
    job = job_in_project(session, access.project.id, job_id)
    run = ws.jobs.run(
        job,
        triggered_by="manual",
        creator_id=access.user.id,
        arguments=body.arguments,
        environment=body.environment,
    )
    return job_run_out(session, session.get(db.JobRun, run.id) or run)


@router.get("", response_model=js.JobRunList)
def list_job_runs(
    job_id: str, access: Viewer, session: SessionDep, params: ListParamsDep
) -> js.JobRunList:
    job_in_project(session, access.project.id, job_id)
    fields = {"status": db.JobRun.status, "triggered_by": db.JobRun.triggered_by}
    rows, token = paginate(session, db.JobRun, [db.JobRun.job_id == job_id], params, fields)
    return js.JobRunList(job_runs=[job_run_out(session, r) for r in rows], next_page_token=token)


@router.get("/{run_id}", response_model=js.JobRunOut)
def get_job_run(job_id: str, run_id: str, access: Viewer, session: SessionDep) -> js.JobRunOut:
    return job_run_out(session, run_in_job(session, access.project.id, job_id, run_id))


@router.post("/{run_id}:stop", response_model=js.JobRunOut)
def stop_job_run(
    job_id: str, run_id: str, access: Operator, session: SessionDep, ws: WorkspaceDep
) -> js.JobRunOut:
    """Ask an active run to stop (its process group gets SIGTERM, then SIGKILL); a run that
    already ended is answered as it is."""
    run = run_in_job(session, access.project.id, job_id, run_id)
    if run.status in js.ACTIVE_RUN_STATES:
        ws.jobs.stop(run.id)
    return job_run_out(session, run)


@router.get("/{run_id}/logs", response_model=js.JobRunLog)
def read_job_run_logs(
    job_id: str,
    run_id: str,
    access: Viewer,
    session: SessionDep,
    ws: WorkspaceDep,
    tail: int = Query(default=0, ge=0, description="Last N lines only; 0: all (up to 1 MB)."),
) -> js.JobRunLog:
    """The run's output so far: scripts run unbuffered, so this grows while the run goes on."""
    run = run_in_job(session, access.project.id, job_id, run_id)
    path = ws.jobs.runner.log_path(run.id)
    try:
        with path.open("rb") as log:
            log.seek(max(0, log.seek(0, os.SEEK_END) - LOG_CAP_BYTES))
            text = log.read().decode(errors="replace")
    except FileNotFoundError:
        text = ""
    if tail:
        text = "\n".join(text.splitlines()[-tail:])
    return js.JobRunLog(log=text, status=run.status)
