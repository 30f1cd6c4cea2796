"""The server's pid file: which process `workspace down` and `status` may signal.

Why more than a pid: after a crash or a reboot the pid in the file can belong to any other
process (pids are reused), and `down` would send it SIGTERM, then SIGKILL to its whole group.
So the file also holds the process's start time, and a process counts as the server only when
its start time matches and its command line runs ``workspace.server``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import psutil

SERVER_MODULE = "workspace.server"


def record(path: Path, pid: int) -> None:
    """Write ``pid`` and its process's start time (mode 0600)."""
    started = psutil.Process(pid).create_time()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump({"pid": pid, "started": started}, fh)


def running_server(path: Path) -> int | None:
    """The pid the file names if that process is still the server it recorded, else None."""
    try:
        saved = json.loads(path.read_text())
        pid, started = int(saved["pid"]), float(saved["started"])
        process = psutil.Process(pid)
        same = abs(process.create_time() - started) < 0.05
        is_server = SERVER_MODULE in " ".join(process.cmdline())
    except (OSError, ValueError, TypeError, KeyError, psutil.Error):
        return None
    if not (same and is_server) or process.status() == psutil.STATUS_ZOMBIE:
        return None
    return pid
