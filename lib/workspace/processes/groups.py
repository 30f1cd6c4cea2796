"""Process groups of the children the workspace starts: start one, stop its whole tree, measure
it, read its log's tail, and recognise it again after a restart.

Why process groups: user code starts children (Spark, a shell pipeline, Jupyter kernels); stopping
a run, a replica or a session must take the whole tree, and a pid recorded before a crash must
never be killed once another process has reused it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import psutil

from workspace.processes.run_as import RunAs

STOP_GRACE_S = 5.0
SAME_START_S = 5.0
"""A recorded start time this close to a live pid's creation time means it is still ours."""


def start_in_group(
    command: Sequence[str],
    *,
    cwd: Path | str,
    env: Mapping[str, str],
    log_path: Path,
    header: str | None = None,
    pass_fds: Sequence[int] = (),
    run_as: RunAs | None = None,
) -> subprocess.Popen[bytes]:
    """Start ``command`` as the leader of a new session (its own process group), stdin closed,
    stdout and stderr appended to ``log_path`` after an optional header line; as the account
    ``run_as`` when given (see ``workspace.processes.run_as``)."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        if header:
            log.write(f"--- {header} at {time.ctime()} ---\n".encode())
            log.flush()
        return subprocess.Popen(
            list(command),
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            pass_fds=tuple(pass_fds),
            **(run_as.popen_args() if run_as else {}),
        )


def signal_group(pid: int, sig: int) -> None:
    """Send ``sig`` to the group ``pid`` leads; a group already gone is not an error."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


def stop_group(proc: subprocess.Popen, grace_s: float = STOP_GRACE_S) -> None:
    """SIGTERM the group, SIGKILL what is left after ``grace_s``, and reap the leader."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        signal_group(proc.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(grace_s if proc.returncode is None else 0)
    signal_group(proc.pid, signal.SIGKILL)  # children the leader left behind go too


def stop_group_by_pid(pid: int, started: float, grace_s: float = STOP_GRACE_S) -> bool:
    """Stop the group of a process this server did not start (a session, a crashed server's
    run) if ``pid`` is still the process that began at ``started``; True when it was running."""
    if not still_ours(pid, started):
        return False
    for sig in (signal.SIGTERM, signal.SIGKILL):
        signal_group(pid, sig)
        deadline = time.monotonic() + grace_s
        while still_ours(pid, started) and time.monotonic() < deadline:
            time.sleep(0.1)
        if not still_ours(pid, started):
            break
    signal_group(pid, signal.SIGKILL)
    return True


def still_ours(pid: int, started: float) -> bool:
    """True when ``pid`` is alive and began at ``started`` (a Unix time), not a reused pid."""
    try:
        proc = psutil.Process(pid)
        same = abs(proc.create_time() - started) < SAME_START_S
        return same and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def started_at(pid: int) -> float:
    """When ``pid`` began, as a Unix time (what ``still_ours`` compares against later)."""
    return psutil.Process(pid).create_time()


def tree_rss(ps: psutil.Process) -> int:
    """Resident bytes of a process and all its descendants; 0 once it is gone."""
    try:
        tree = [ps, *map(psutil.Process, descendants(ps.pid))]
        return sum(p.memory_info().rss for p in tree)
    except psutil.Error:
        return 0


def descendants(pid: int) -> list[int]:
    """The pids below ``pid``, from the kernel's per-thread ``children`` lists.

    Why not ``psutil.Process.children``: it reads the stat file of every process on the machine
    to build a parent map (~90 ms of Python on a busy host), and the serving process samples its
    replicas this way every few seconds while holding the GIL its event loop needs."""
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except FileNotFoundError:
            continue  # gone meanwhile
        except OSError:
            return [p.pid for p in psutil.Process(pid).children(recursive=True)]
        for task in tasks:
            try:
                with open(f"/proc/{parent}/task/{task}/children") as listing:
                    children = [int(child) for child in listing.read().split()]
            except FileNotFoundError:
                if not os.path.exists(f"/proc/{parent}/task/{task}"):
                    continue  # the thread ended
                return [p.pid for p in psutil.Process(pid).children(recursive=True)]
            found += children
            todo += children
    return found


def log_tail(path: Path, *, lines: int = 0, max_bytes: int = 16_384) -> str:
    """The last ``max_bytes`` of a log (its last ``lines`` lines when given); "" when missing."""
    try:
        with path.open("rb") as log:
            log.seek(max(0, log.seek(0, os.SEEK_END) - max_bytes))
            text = log.read().decode(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:]) if lines else text
