"""Jobs as the workspace runs them: cron schedules (APScheduler), runs, and dependent jobs.

Why schedules live only in memory and are rebuilt from the database at every start: the database
is the one record of what should run when, so a restarted server schedules exactly what its jobs
say, and a deleted or paused job can never fire from a stale scheduler store.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from datetime import UTC, datetime

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from workspace.core.security import new_id
from workspace.schemas.states import JOB_RUNS_ACTIVE, JobRunStatus
from workspace.server.services.errors import InvalidRequest
from workspace.server.services.job_rules import cron_trigger
from workspace.server.services.job_runner import JobRunner
from workspace.server.storage import tables as db

log = logging.getLogger(__name__)


class JobService:
    """Schedules jobs and starts their runs; a run that succeeds starts its dependent jobs."""

    def __init__(
        self, sessions: sessionmaker, runner: JobRunner, *, stopping: threading.Event
    ) -> None:
        self.sessions = sessions
        self.runner = runner
        self.stopping = stopping
        # One run per job at a time; missed firings while the server was down are not replayed.
        self.scheduler = BackgroundScheduler(
            timezone=UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30},
        )

    def start(self) -> None:
        """Fail what a crashed server left running, then schedule every cron job again."""
        self.runner.recover()
        self.scheduler.start()
        with self.sessions() as session:
            for job in session.scalars(select(db.Job).where(db.Job.schedule.is_not(None))):
                try:
                    self.schedule(job)
                except InvalidRequest as exc:  # a schedule this version cannot read any more
                    log.warning("job %s not scheduled: %s", job.id, exc)

    def shutdown(self) -> None:
        self.scheduler.shutdown(wait=False)
        self.runner.shutdown()

    def schedule(self, job: db.Job) -> None:
        """Add, replace or remove the job's cron trigger to match its row."""
        if not job.schedule or job.paused:
            self.unschedule(job.id)
            return
        trigger = cron_trigger(job.schedule, job.timezone)
        self.scheduler.add_job(
            self._fire, trigger, args=[job.id], id=job.id, name=job.name, replace_existing=True
        )

    def unschedule(self, job_id: str) -> None:
        with contextlib.suppress(JobLookupError):
            self.scheduler.remove_job(job_id)

    def next_run_time(self, job_id: str) -> datetime | None:
        """When the schedule fires next, in UTC like every other timestamp of the API."""
        scheduled = self.scheduler.get_job(job_id)
        when = scheduled.next_run_time if scheduled else None
        return when.astimezone(UTC) if when else None

    def run(
        self,
        job: db.Job,
        *,
        triggered_by: str,
        creator_id: str,
        arguments: str | None = None,
        environment: dict[str, str] | None = None,
    ) -> db.JobRun:
        """Record a run in 'scheduling' and hand it to the runner."""
        with self.sessions() as session:
            run = db.JobRun(
                id=new_id(),
                job_id=job.id,
                project_id=job.project_id,
                status=JobRunStatus.SCHEDULING,
                triggered_by=triggered_by,
                arguments=job.arguments if arguments is None else arguments,
                environment=environment or {},
                creator_id=creator_id,
            )
            session.add(run)
            session.commit()
        self.runner.start(run.id, on_finished=self._after_run)
        return run

    def stop(self, run_id: str) -> None:
        self.runner.stop(run_id)

    def _fire(self, job_id: str) -> None:
        """A cron firing: start a run unless the job is gone, paused or still running."""
        if self.stopping.is_set():
            return
        with self.sessions() as session:
            job = session.get(db.Job, job_id)
            if job is None:
                self.unschedule(job_id)
                return
            busy = session.scalar(
                select(db.JobRun.id).where(
                    db.JobRun.job_id == job_id, db.JobRun.status.in_(JOB_RUNS_ACTIVE)
                )
            )
        if job.paused or busy:
            log.info("job %s: schedule fired while %s; skipped", job_id, busy or "paused")
            return
        self.run(job, triggered_by="schedule", creator_id=job.creator_id)

    def _after_run(self, job_id: str, run_id: str, status: str) -> None:
        """A run that succeeded starts the jobs whose parent it is; any other ending starts none."""
        if status != JobRunStatus.SUCCEEDED or self.stopping.is_set():
            return
        with self.sessions() as session:
            children = session.scalars(
                select(db.Job).where(db.Job.parent_job_id == job_id, db.Job.paused.is_(False))
            ).all()
        for child in children:
            self.run(child, triggered_by=f"parent run {run_id}", creator_id=child.creator_id)
