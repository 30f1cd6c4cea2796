"""A project's jobs: creating one; a job's schedule, parent and runs; a run's log that follows
while it runs; run now and stop, for operators."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy import select

from workspace import schemas
from workspace.console import queries
from workspace.console.auth import Checked, FormDep, Viewer, project_access
from workspace.console.outcome import Refused, attempt
from workspace.console.pages.projects import project_with_errors
from workspace.console.render import TimedRoute, page
from workspace.schemas.states import JOB_RUNS_ACTIVE
from workspace.server.api.deps import JobsDep, ServicesDep, SessionDep
from workspace.server.api.routes import job_runs as run_routes
from workspace.server.api.routes import jobs as job_routes
from workspace.server.api.routes.jobs import job_in_project
from workspace.server.storage import tables as db

router = APIRouter(route_class=TimedRoute)
LOG_CHUNK_BYTES = 256 * 1024
JOB = "/projects/{project_id}/jobs/{job_id}"
JOB_FIELDS = (
    "name", "script", "arguments", "schedule", "parent_job_id", "cpu", "memory", "timeout",
)  # fmt: skip
NUMBERS = {"cpu": float, "memory": float, "timeout": int}


def _job_body(form: dict[str, str]) -> schemas.JobCreate:
    """The job a form asks for: blank optional fields are unset, numbers must be numbers."""
    values: dict = {f: form.get(f, "").strip() for f in JOB_FIELDS}
    for name in ("name", "script"):
        if not values[name]:
            raise Refused(f"give the job a {name}", name)
    for name, kind in NUMBERS.items():
        if not values[name]:
            del values[name]
            continue
        try:
            values[name] = kind(values[name])
        except ValueError:
            what = "a whole number of seconds" if kind is int else "a number"
            raise Refused(f"{name} must be {what}, not {values[name]!r}", name) from None
    values["schedule"] = values["schedule"] or None
    values["parent_job_id"] = values["parent_job_id"] or None
    return attempt(lambda: schemas.JobCreate(**values), JOB_FIELDS)


@router.post("/projects/{project_id}/jobs")
def create_job(
    request: Request, project_id: str, who: Checked, session: SessionDep, form: FormDep,
    jobs: JobsDep, services: ServicesDep,
) -> Response:  # fmt: skip
    """The API's own create (script inside the project, cron line, parent without a cycle)."""
    access = project_access(session, who, project_id, "operator")
    try:
        body = _job_body(form)
        job = attempt(
            lambda: job_routes.create_job(
                body, access, session, jobs, services.settings, services.runtimes
            ),
            JOB_FIELDS,
        )
    except Refused as refused:
        session.rollback()
        errors = {f"job_{refused.field or 'name'}": refused.message}
        return project_with_errors(request, who, session, services, access, errors, form, "job")
    return RedirectResponse(JOB.format(project_id=project_id, job_id=job.id), 303)


@router.get(JOB)
def job_page(
    request: Request, project_id: str, job_id: str, who: Viewer, session: SessionDep, jobs: JobsDep,
    offset: int = 0,
) -> Response:  # fmt: skip
    access = project_access(session, who, project_id, "viewer")
    job = job_in_project(session, project_id, job_id)
    stmt = select(db.JobRun).where(db.JobRun.job_id == job.id)
    runs = queries.paged(session, stmt.order_by(db.JobRun.created_at.desc(), db.JobRun.id), offset)
    parent = session.get(db.Job, job.parent_job_id) if job.parent_job_id else None
    return page(
        request,
        "job.html",
        who,
        project=access.project,
        role=access.role,
        job=job,
        parent=parent,
        next_run=jobs.next_run_time(job.id),
        runs=runs,
        active=JOB_RUNS_ACTIVE,
    )


@router.post(JOB + "/run")
def run_now(
    project_id: str, job_id: str, who: Checked, session: SessionDep, jobs: JobsDep
) -> Response:
    access = project_access(session, who, project_id, "operator")
    run = run_routes.create_job_run(job_id, schemas.JobRunCreate(), access, session, jobs)
    return RedirectResponse(
        f"{JOB.format(project_id=project_id, job_id=job_id)}/runs/{run.id}", 303
    )


@router.get(JOB + "/runs/{run_id}")
def run_page(
    request: Request, project_id: str, job_id: str, run_id: str, who: Viewer, session: SessionDep,
    jobs: JobsDep,
) -> Response:  # fmt: skip
    access = project_access(session, who, project_id, "viewer")
    run = run_routes.run_in_job(session, project_id, job_id, run_id)
    text, offset = _log_from(jobs, run.id, 0)
    return page(
        request,
        "run.html",
        who,
        project=access.project,
        role=access.role,
        job=run.job,
        run=run,
        log=text,
        log_offset=offset,
        active=run.status in JOB_RUNS_ACTIVE,
    )


@router.get(JOB + "/runs/{run_id}/log")
def run_log(
    project_id: str, job_id: str, run_id: str, who: Viewer, session: SessionDep, jobs: JobsDep,
    offset: int = 0,
) -> Response:  # fmt: skip
    """The log from byte ``offset`` on, what the run page appends while the run goes on."""
    project_access(session, who, project_id, "viewer")
    run = run_routes.run_in_job(session, project_id, job_id, run_id)
    text, end = _log_from(jobs, run.id, offset)
    return JSONResponse(
        {
            "text": text,
            "offset": end,
            "status": run.status,
            "active": run.status in JOB_RUNS_ACTIVE,
            "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        }
    )


def _log_from(jobs: JobsDep, run_id: str, offset: int) -> tuple[str, int]:
    """Up to ``LOG_CHUNK_BYTES`` of the log from ``offset``, cut at the last whole line."""
    path = jobs.runner.log_path(run_id)
    try:
        with path.open("rb") as fh:
            fh.seek(max(offset, 0))
            chunk = fh.read(LOG_CHUNK_BYTES)
    except FileNotFoundError:
        return "", offset
    if len(chunk) == LOG_CHUNK_BYTES and b"\n" in chunk:
        chunk = chunk[: chunk.rfind(b"\n") + 1]
    return chunk.decode("utf-8", "replace"), max(offset, 0) + len(chunk)


@router.post(JOB + "/runs/{run_id}/stop")
def stop_run(
    project_id: str, job_id: str, run_id: str, who: Checked, session: SessionDep, jobs: JobsDep
) -> Response:
    access = project_access(session, who, project_id, "operator")
    run_routes.stop_job_run(job_id, run_id, access, session, jobs)
    return RedirectResponse(
        f"{JOB.format(project_id=project_id, job_id=job_id)}/runs/{run_id}", 303
    )
