"""Process-group handling of job runs: stop a run's whole tree, measure it, and kill what a
crashed server left behind without ever killing a stranger that reused its pid."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from datetime import UTC

import psutil

from workspace.server import db

STOP_GRACE_S = 5.0


def kill_group(proc: subprocess.Popen) -> None:
    """SIGTERM the run's process group, SIGKILL what is left after a grace period."""
    for sig, wait_s in ((signal.SIGTERM, STOP_GRACE_S), (signal.SIGKILL, STOP_GRACE_S)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(wait_s if proc.returncode is None else 0)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


def tree_rss(ps: psutil.Process) -> int:
    try:
        return sum(p.memory_info().rss for p in [ps, *ps.children(recursive=True)])
    except psutil.Error:
        return 0


def kill_orphan(run: db.JobRun) -> None:
    """Kill the process group of a run a crashed server left behind, if that pid is still ours
    (same start time), so a reused pid is never killed."""
    began = run.running_at or run.starting_at
    if not run.pid or began is None:
        return
    try:
        created = psutil.Process(run.pid).create_time()
    except psutil.Error:
        return
    if abs(created - began.replace(tzinfo=UTC).timestamp()) < 5:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(run.pid, signal.SIGKILL)
