"""One component process: started in its own group within a time bound, stopped by that group.

Why a process group: Spark's worker forks executors and PostgreSQL forks backends; stopping the
group stops them all, and only them (the group id is ours, not a name other processes share).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


class ComponentFailed(RuntimeError):
    """A component exited or did not become ready in time; the message ends with its log tail."""


class MissingComponent(RuntimeError):
    """A component's program is not installed; the message says what installs it."""


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def log_tail(path: Path, lines: int = 5) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").strip().splitlines()[-lines:])
    except OSError:
        return ""


@dataclass
class ComponentProcess:
    """A started process, its log, and the signal that shuts it down cleanly."""

    name: str
    process: subprocess.Popen
    log: Path
    stop_signal: int = signal.SIGTERM

    @classmethod
    def start(
        cls,
        name: str,
        argv: Sequence[str],
        *,
        log: Path,
        ready: Callable[[], bool],
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        timeout: float = 60,
        stop_signal: int = signal.SIGTERM,
    ) -> ComponentProcess:
        """Start ``argv`` and wait until ``ready()``; stop it and raise if it exits or times out."""
        with log.open("ab") as out:
            process = subprocess.Popen(
                list(argv),
                env=dict(env) if env is not None else None,
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        started = cls(name, process, log, stop_signal)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise ComponentFailed(
                    f"{name} exited with {process.returncode} at start:\n{log_tail(log)}"
                )
            try:
                if ready():
                    return started
            except Exception:  # not answering yet: any client error means "not ready"
                pass
            time.sleep(0.2)
        started.stop()
        raise ComponentFailed(f"{name} was not ready within {timeout:.0f} s:\n{log_tail(log)}")

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 20) -> None:
        """The clean-shutdown signal to the group; SIGKILL to it after ``timeout``."""
        if self.process.poll() is None:
            self._signal_group(self.stop_signal)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=timeout)
        # Children that outlived their parent (executors, backends) share the group: end them too.
        self._signal_group(signal.SIGKILL)
        if self.process.poll() is None:
            self.process.wait(timeout=10)

    def _signal_group(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, sig)
