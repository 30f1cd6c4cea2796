"""Execute job runs: scheduling → starting → running → succeeded | failed | timedout | stopped.

Why a thread and a process group per run: a script may start children (Spark, a shell pipeline);
stopping it, or killing it past its timeout, must take the whole tree, and a long run must not hold
a worker of the pool that builds and deploys models. The log is written unbuffered to a file under
LAB_HOME so it can be read while the run goes on. A run uses its project's Python environment
(its interpreter, its ``bin`` first on PATH), so what one run ``pip install``s the next run and the
project's sessions import, and no other project sees.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

import psutil
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from workspace.core.config import WorkspaceSettings
from workspace.processes.accounts import Accounts, account_of
from workspace.processes.environment import ProjectIdentity, child_environment
from workspace.processes.groups import (
    signal_group,
    start_in_group,
    still_ours,
    stop_group,
    tree_rss,
)
from workspace.processes.limits import Cgroup, CoreAllocator, cgroups_enabled
from workspace.processes.python_envs import ensure_env, project_env_path
from workspace.processes.run_as import RunAs
from workspace.schemas.states import JOB_RUNS_ACTIVE, JobRunStatus
from workspace.server.storage import crud
from workspace.server.storage import tables as db

POLL_S = 0.1

Outcome = tuple[JobRunStatus, str | None, int | None]
"""How a run ended: its final status, the reason when it failed, the script's exit code."""

RunFinished = Callable[[str, str, str], None]
"""Called with (job id, run id, final status) once a run has ended."""


@dataclass
class _Plan:
    """What one run needs once it is past 'starting'."""

    job_id: str
    command: list[str]
    cwd: Path
    env: dict[str, str]
    cpu: float
    memory_bytes: int
    timeout_s: int
    kill_on_timeout: bool
    run_as: RunAs | None = None
    """The project's account for user code; None: the server's own."""


class JobRunner:
    """One thread and one process group per run, held to the job's CPU and memory."""

    def __init__(
        self,
        settings: WorkspaceSettings,
        sessions: sessionmaker,
        *,
        accounts: Accounts | None = None,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.accounts = accounts
        self.log_dir = settings.logs_dir / "jobs"
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.cores = CoreAllocator()
        self.use_cgroups = cgroups_enabled()
        self._lock = threading.Lock()
        self._stop_requested: set[str] = set()
        self._threads: dict[str, threading.Thread] = {}
        self._closing = threading.Event()

    def log_path(self, run_id: str) -> Path:
        return self.log_dir / f"{run_id}.log"

    def start(self, run_id: str, *, on_finished: RunFinished) -> None:
        thread = threading.Thread(
            target=self._execute, args=(run_id, on_finished), name=f"job-run-{run_id}"
        )
        with self._lock:
            self._threads[run_id] = thread
        thread.start()

    def stop(self, run_id: str) -> None:
        """Ask a run to stop; its thread kills the process group and marks it stopped."""
        self._stop_requested.add(run_id)

    def recover(self) -> None:
        """At startup: runs a crashed server left active are failed, their processes killed."""
        with self.sessions() as session:
            for run in session.scalars(
                select(db.JobRun).where(db.JobRun.status.in_(JOB_RUNS_ACTIVE))
            ):
                _kill_orphan(run)
                state = JobRunStatus(run.status).name.lower()
                reason = f"the workspace server stopped while the run was {state}"
                run.status, run.failure_reason, run.pid = JobRunStatus.FAILED, reason, None
                run.finished_at = db.utcnow()
                if run.api_key_id:
                    crud.revoke_key(session, run.api_key_id)
            session.commit()

    def shutdown(self, timeout_s: float = 15.0) -> None:
        """Server shutdown: stop every run (marked failed, as a crash would) and wait for them."""
        self._closing.set()
        deadline = time.monotonic() + timeout_s
        for thread in list(self._threads.values()):
            thread.join(max(0.0, deadline - time.monotonic()))

    def _execute(self, run_id: str, on_finished: RunFinished) -> None:
        job_id = None
        try:
            plan = self._prepare(run_id)
            if plan is None:
                return
            job_id = plan.job_id
            outcome = self._run(run_id, plan)
        except Exception as exc:  # a run must always end in a terminal state
            outcome = (JobRunStatus.FAILED, f"{type(exc).__name__}: {exc}", None)
        finally:
            with self._lock:
                self._threads.pop(run_id, None)
        self._stop_requested.discard(run_id)
        self._finish(run_id, *outcome)
        if job_id:
            on_finished(job_id, run_id, outcome[0])

    def _prepare(self, run_id: str) -> _Plan | None:
        """Mark the run starting, mint an API key of the user who triggered it and describe the
        process to start."""
        with self.sessions() as session:
            run = session.get(db.JobRun, run_id)
            if run is None or run.status != JobRunStatus.SCHEDULING:
                return None
            if run_id in self._stop_requested or self._closing.is_set():
                run.status, run.finished_at = JobRunStatus.STOPPED, db.utcnow()
                session.commit()
                return None
            job = session.get(db.Job, run.job_id)
            project = session.get(db.Project, run.project_id)
            # The run acts as whoever triggered it (the job's creator for schedules and parents).
            trigger = session.get(db.User, run.creator_id) or job.creator
            run.api_key_id, key = crud.issue_key(session, trigger, name=f"job run {run_id}")
            run.status, run.starting_at = JobRunStatus.STARTING, db.utcnow()
            session.commit()
            cwd = self.settings.projects_dir / project.id
            run_as = account_of(self.accounts, project.id)
            extra = {"LAB_JOB_ID": job.id, "LAB_JOB_RUN_ID": run.id, "JOB_ARGUMENTS": run.arguments}
            env = child_environment(
                self.settings,
                project=ProjectIdentity(project.id, project.name, project.creator.username),
                api_key=key,
                layers=[project.environment, job.environment, run.environment, extra],
                home=cwd if run_as else None,  # CML's HOME is the project folder too
            )
            python = ensure_env(project_env_path(self.settings, project.id))
            if run_as is not None:  # what a run pip-installs lands in its project's env
                run_as.give(python.path)
            interpreter = "bash" if job.script.endswith(".sh") else python.python
            return _Plan(
                job_id=job.id,
                command=[interpreter, job.script, *shlex.split(run.arguments)],
                cwd=cwd,
                env=python.activate(env),
                cpu=job.cpu,
                memory_bytes=int(job.memory * 1024**3),
                timeout_s=job.timeout,
                kill_on_timeout=job.kill_on_timeout,
                run_as=run_as,
            )

    def _run(self, run_id: str, plan: _Plan) -> Outcome:
        log_path = self.log_path(run_id)
        if not (plan.cwd / plan.command[1]).is_file():
            return (
                JobRunStatus.FAILED,
                f"script '{plan.command[1]}' is no longer in the project",
                None,
            )
        with self._lock:
            cores = self.cores.take(plan.cpu)
        cgroup = None
        if self.use_cgroups:
            cgroup = Cgroup.create(
                f"lab-job-{run_id}", cpu=plan.cpu, memory_bytes=plan.memory_bytes
            )
        try:
            if plan.run_as is not None:
                plan.run_as.give(plan.cwd)  # the project's files are its code's to change
            proc = start_in_group(
                plan.command,
                cwd=plan.cwd,
                env=plan.env,
                log_path=log_path,
                header=shlex.join(plan.command),
                run_as=plan.run_as,
            )
            with contextlib.suppress(OSError):
                if cores:
                    os.sched_setaffinity(proc.pid, cores)  # children inherit it
                if cgroup is not None:
                    cgroup.add(proc.pid)
            self._mark_running(run_id, proc.pid)
            outcome = self._watch(run_id, proc, plan)
        finally:
            with self._lock:
                self.cores.give_back(cores)
            if cgroup is not None:
                cgroup.remove()
        with log_path.open("ab") as log:
            log.write(
                f"--- run {outcome[0]}{': ' + outcome[1] if outcome[1] else ''} ---\n".encode()
            )
        return outcome

    def _mark_running(self, run_id: str, pid: int) -> None:
        with self.sessions() as session:
            run = session.get(db.JobRun, run_id)
            run.status, run.running_at, run.pid = JobRunStatus.RUNNING, db.utcnow(), pid
            session.commit()

    def _watch(self, run_id: str, proc: subprocess.Popen, plan: _Plan) -> Outcome:
        """Wait for the process; kill its group on stop, timeout, memory overrun or shutdown."""
        started, warned = time.monotonic(), False
        limit_mb = plan.memory_bytes // 1024**2
        ps = psutil.Process(proc.pid)
        while (code := proc.poll()) is None:
            elapsed = time.monotonic() - started
            verdict: tuple[JobRunStatus, str | None] | None = None
            if run_id in self._stop_requested:
                verdict = (JobRunStatus.STOPPED, None)
            elif self._closing.is_set():
                verdict = (JobRunStatus.FAILED, "the workspace server shut down during the run")
            elif plan.timeout_s and elapsed > plan.timeout_s:
                if plan.kill_on_timeout:
                    verdict = (JobRunStatus.TIMEDOUT, f"ran past its timeout of {plan.timeout_s} s")
                elif not warned:
                    warned = True
                    with self.log_path(run_id).open("ab") as log:
                        log.write(b"--- past its timeout; kill_on_timeout is off ---\n")
            elif tree_rss(ps) > plan.memory_bytes:
                verdict = (
                    JobRunStatus.FAILED,
                    f"OOM: the run used more than its memory limit of {limit_mb} MB",
                )
            if verdict is not None:
                stop_group(proc)
                return verdict[0], verdict[1], proc.returncode
            time.sleep(POLL_S)
        stop_group(proc)  # children left behind by a finished script go with it
        if code == 0:
            return JobRunStatus.SUCCEEDED, None, 0
        return JobRunStatus.FAILED, f"the script exited with code {code}", code

    def _finish(self, run_id: str, status: str, reason: str | None, code: int | None) -> None:
        with self.sessions() as session:
            run = session.get(db.JobRun, run_id)
            if run is None:
                return
            run.status, run.failure_reason, run.exit_code = status, reason, code
            run.finished_at, run.pid = db.utcnow(), None
            if run.api_key_id:
                crud.revoke_key(session, run.api_key_id)
            session.commit()


def _kill_orphan(run: db.JobRun) -> None:
    """Kill the process group of a run a crashed server left behind, if that pid is still the
    run's (same start time), so a reused pid is never killed."""
    began = run.running_at or run.starting_at
    if run.pid and began is not None and still_ours(run.pid, began.replace(tzinfo=UTC).timestamp()):
        signal_group(run.pid, signal.SIGKILL)
