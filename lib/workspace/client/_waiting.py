"""``wait_for_build`` / ``wait_for_deployment`` / ``wait_for_job_run``: poll until a terminal state.

Why: client calls return as soon as the server accepts the work; a script that needs the result
waits here, with a timeout and an error (a ``WaitError``) that names the state the resource was
last seen in and carries its last log lines.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from typing import Protocol, TypeVar

from workspace.client import _job_calls, _model_calls
from workspace.client._connection import Connection
from workspace.client._errors import (
    BuildFailed,
    DeploymentFailed,
    JobRunFailed,
    WaitTimeout,
    WorkspaceError,
)
from workspace.schemas import (
    BuildOut,
    BuildStatus,
    DeploymentOut,
    DeploymentStatus,
    JobRunOut,
    JobRunStatus,
)
from workspace.schemas.states import BUILDS_ENDED, DEPLOYMENTS_SETTLED, JOB_RUNS_FINISHED

LOG_TAIL_LINES = 20


class _HasStatus(Protocol):
    status: str


Seen = TypeVar("Seen", bound=_HasStatus)


def _poll(
    fetch: Callable[[], Seen], *, terminal: Collection[str], timeout: float, poll: float
) -> Seen:
    """Fetch until the status is terminal or ``timeout`` seconds passed; the last one seen."""
    deadline = time.monotonic() + timeout
    while True:
        seen = fetch()
        if seen.status in terminal or time.monotonic() > deadline:
            return seen
        time.sleep(poll)


def _tail(read_log: Callable[[], str]) -> str:
    """The last lines of a log, or nothing when the log itself cannot be read."""
    try:
        return "\n".join(read_log().splitlines()[-LOG_TAIL_LINES:])
    except WorkspaceError:
        return ""


def wait_for_build(
    client: Connection,
    *,
    project_id: str | None = None,
    model_id: str,
    build_id: str,
    timeout: float = 600,
    poll: float = 0.25,
) -> BuildOut:
    """The build once it is ``built``; ``BuildFailed`` or ``WaitTimeout`` with its log tail."""
    ids = {"project_id": project_id, "model_id": model_id, "build_id": build_id}
    build = _poll(
        lambda: _model_calls.get_model_build(client, **ids),
        terminal=BUILDS_ENDED,
        timeout=timeout,
        poll=poll,
    )
    if build.status == BuildStatus.BUILT:
        return build
    tail = _tail(lambda: _model_calls.get_model_build_logs(client, **ids))
    if build.status == BuildStatus.FAILED:
        raise BuildFailed(
            f"build {build_id} failed: {build.failure_reason}\n{tail}",
            status=build.status,
            log_tail=tail,
        )
    raise WaitTimeout(
        f"build {build_id} still {build.status} after {timeout:g} s\n{tail}",
        status=build.status,
        log_tail=tail,
    )


def wait_for_deployment(
    client: Connection,
    *,
    project_id: str | None = None,
    model_id: str,
    build_id: str,
    deployment_id: str,
    timeout: float = 600,
    poll: float = 0.1,
) -> DeploymentOut:
    """The deployment once it is ``deployed``; ``DeploymentFailed`` (it ended failed or stopped)
    or ``WaitTimeout``, with the errors its replicas reported."""
    ids = {
        "project_id": project_id,
        "model_id": model_id,
        "build_id": build_id,
        "deployment_id": deployment_id,
    }
    dep = _poll(
        lambda: _model_calls.get_model_deployment(client, **ids),
        terminal=DEPLOYMENTS_SETTLED,
        timeout=timeout,
        poll=poll,
    )
    if dep.status == DeploymentStatus.DEPLOYED:
        return dep
    replicas = _model_calls.list_model_replicas(client, **ids).replicas
    tail = "\n".join(
        f"replica {r.id}: {r.state} ({r.last_error})" for r in replicas if r.last_error
    )
    if dep.status in DEPLOYMENTS_SETTLED:
        raise DeploymentFailed(
            f"deployment {deployment_id} is {dep.status}: {dep.failure_reason}\n{tail}",
            status=dep.status,
            log_tail=tail,
        )
    raise WaitTimeout(
        f"deployment {deployment_id} still {dep.status} after {timeout:g} s\n{tail}",
        status=dep.status,
        log_tail=tail,
    )


def wait_for_job_run(
    client: Connection,
    *,
    project_id: str | None = None,
    job_id: str,
    run_id: str,
    timeout: float = 600,
    poll: float = 0.25,
) -> JobRunOut:
    """The run once it ``succeeded``; ``JobRunFailed`` (failed, timedout or stopped: see
    ``status``) or ``WaitTimeout``, with the last lines of its output."""
    ids = {"project_id": project_id, "job_id": job_id, "run_id": run_id}
    run = _poll(
        lambda: _job_calls.get_job_run(client, **ids),
        terminal=JOB_RUNS_FINISHED,
        timeout=timeout,
        poll=poll,
    )
    if run.status == JobRunStatus.SUCCEEDED:
        return run
    tail = _tail(lambda: _job_calls.get_job_run_logs(client, **ids, tail=LOG_TAIL_LINES))
    if run.status in JOB_RUNS_FINISHED:
        reason = f": {run.failure_reason}" if run.failure_reason else ""
        raise JobRunFailed(
            f"job run {run_id} {run.status}{reason}\n{tail}", status=run.status, log_tail=tail
        )
    raise WaitTimeout(
        f"job run {run_id} still {run.status} after {timeout:g} s\n{tail}",
        status=run.status,
        log_tail=tail,
    )
