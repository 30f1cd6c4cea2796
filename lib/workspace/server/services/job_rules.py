"""What makes a job valid: its script inside the project, a cron expression the scheduler reads,
a known time zone, and a parent in the same project that does not make a cycle.

Why checked at creation: a job that cannot run should be refused when it is written, with a
message naming the field, not fail at 3 a.m. when its schedule fires.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.orm import Session

from workspace.core.paths import OutsideFolder, file_inside
from workspace.server.services.errors import InvalidRequest
from workspace.server.storage import tables as db


def check_script(project_dir: Path, script: str) -> str:
    """The script's path relative to the project, refused when it leaves the folder or is
    missing."""
    try:
        path = file_inside(project_dir, script, what="script", folder="project")
    except OutsideFolder as exc:
        raise InvalidRequest(str(exc)) from None
    return path.relative_to(project_dir.resolve()).as_posix()


def check_arguments(arguments: str) -> str:
    try:
        shlex.split(arguments)
    except ValueError as exc:
        raise InvalidRequest(f"arguments '{arguments}' cannot be parsed: {exc}") from None
    return arguments


def check_timezone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidRequest(f"timezone '{name}' is not a known IANA time zone") from None


def cron_trigger(schedule: str, timezone: str) -> CronTrigger:
    """The APScheduler trigger of a crontab line; refused naming the expression when it is wrong."""
    zone = check_timezone(timezone)
    try:
        return CronTrigger.from_crontab(schedule, timezone=zone)
    except ValueError as exc:
        raise InvalidRequest(
            f"schedule '{schedule}' is not a valid cron expression: {exc}"
        ) from None


def check_parent(session: Session, job: db.Job, parent_job_id: str | None) -> None:
    """The parent must be another job of the same project, and following parents from it must
    never come back to ``job`` (a cycle would run forever or never)."""
    if parent_job_id is None:
        return
    chain = [job.name]
    current = parent_job_id
    while current is not None:
        parent = session.get(db.Job, current)
        if parent is None or parent.project_id != job.project_id:
            raise InvalidRequest(f"parent_job_id '{current}' is not a job of this project")
        chain.append(parent.name)
        if parent.id == job.id:
            raise InvalidRequest(
                f"parent_job_id '{parent_job_id}' makes a cycle: {' → '.join(chain)}"
            )
        current = parent.parent_job_id


def job_type(requested: str | None, schedule: str | None, parent_job_id: str | None) -> str:
    """CML's job type follows from how the job starts; a requested type must agree with it."""
    derived = "cron" if schedule else "dependent" if parent_job_id else "manual"
    if schedule and parent_job_id:
        raise InvalidRequest("a job has either a schedule or a parent_job_id, not both")
    if requested is not None and requested != derived:
        needs = {"cron": "a schedule", "dependent": "a parent_job_id", "manual": "neither"}
        raise InvalidRequest(f"type '{requested}' needs {needs[requested]}")
    return derived


def validate_job(session: Session, job: db.Job, project_dir: Path, requested_type: str | None):
    """Check every rule of a job row about to be saved, refusing on the first field that fails;
    normalises the script path and sets the job's type."""
    job.script = check_script(project_dir, job.script)
    check_arguments(job.arguments)
    check_timezone(job.timezone)
    if job.schedule:
        cron_trigger(job.schedule, job.timezone)
    check_parent(session, job, job.parent_job_id)
    job.type = job_type(requested_type, job.schedule, job.parent_job_id)
