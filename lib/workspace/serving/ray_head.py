"""A one-machine Ray head on loopback, for tests, benches and trying the Ray backend without a team
cluster; a team points ``LAB_RAY_ADDRESS`` at its own cluster instead.

Why ``--block`` in its own session: the head is then one process group this code started, stopped
by its PID; ``ray stop`` would kill every Ray process on the machine by name, other people's too.
Why ``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0``: without it Ray 2.60 swaps 127.0.0.1 for the machine's
other address and binds and dials that; every Ray process (head, drivers, the workspace server)
needs it, so ``ray_environment`` is what a driver's environment must include too.

Example::

    with RayHead.start(tmp_path, cpus=2) as head:
        head.address        # "127.0.0.1:6390", what LAB_RAY_ADDRESS takes
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import psutil

from workspace.processes.groups import log_tail, signal_group, start_in_group

RAY_LOOPBACK_ENV = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}
HEAD_START_TIMEOUT_S = 60.0
STARTING_NICENESS, SERVING_NICENESS = -10, -5
SLOW_MACHINE_ENV = {
    "RAY_agent_register_timeout_ms": "120000",
    "RAY_raylet_start_wait_time_s": "120",
}
"""On a loaded 2-core machine the raylet gives up on its agents after Ray's default 30 s."""


def ray_environment(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """``env`` (default: this process's) with what keeps every Ray process on loopback."""
    return {**(os.environ if env is None else env), **RAY_LOOPBACK_ENV}


@dataclass
class RayHead:
    """A running ``ray start --head --block`` and the folder holding its logs and sockets."""

    process: subprocess.Popen[bytes]
    port: int
    temp_dir: Path
    log_path: Path

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @classmethod
    def start(
        cls,
        folder: Path,
        *,
        cpus: int = 2,
        memory_bytes: int = 4 * 1024**3,
        env: Mapping[str, str] | None = None,
        attempts: int = 3,
    ) -> RayHead:
        """Start a head with ``cpus`` and ``memory_bytes`` to hand out; ready when it answers.

        Why attempts: the raylet gives its agents a fixed 30 s to come up and ends the head when
        a loaded machine starts them slower; a second try usually fits. ``folder`` must be
        short: Ray puts unix sockets under it (a 107-byte path limit)."""
        for attempt in range(1, attempts + 1):
            try:
                return cls._start_once(
                    folder / f"try-{attempt}", cpus=cpus, memory_bytes=memory_bytes, env=env
                )
            except RuntimeError:
                if attempt == attempts:
                    raise
        raise AssertionError("unreachable")

    @classmethod
    def _start_once(
        cls,
        folder: Path,
        *,
        cpus: int = 2,
        memory_bytes: int = 4 * 1024**3,
        env: Mapping[str, str] | None = None,
    ) -> RayHead:
        """One attempt at starting the head; RuntimeError with its log tail when it did not."""
        folder.mkdir(parents=True, exist_ok=True)
        port = _free_port_below_ray_workers()
        temp_dir = folder / "ray"
        log_path = folder / "ray-head.log"
        ray = Path(sys.executable).with_name("ray")
        command = [
            str(ray if ray.exists() else shutil.which("ray") or "ray"),
            "start", "--head", "--block", "--disable-usage-stats",
            "--node-ip-address=127.0.0.1", f"--port={port}",
            f"--num-cpus={cpus}", f"--memory={memory_bytes}",
            "--object-store-memory=268435456", "--include-dashboard=false",
            f"--temp-dir={temp_dir}",
            # No autoscaler monitor: one Python process fewer competing with the agents the
            # raylet gives 15 s to come up; the Ray Client server gets a free port, not 10001.
            "--no-monitor", f"--ray-client-server-port={_free_port_below_ray_workers()}",
        ]  # fmt: skip
        env = {**ray_environment(env), "RAY_prestart_worker_first_driver": "0"}
        process = start_in_group(command, cwd=folder, env=env, log_path=log_path)
        _group_weight(process.pid, STARTING_NICENESS)
        head = cls(process, port, temp_dir, log_path)
        deadline = time.monotonic() + HEAD_START_TIMEOUT_S
        while not head._answers():
            if process.poll() is not None or time.monotonic() > deadline:
                head.stop()
                raise RuntimeError(f"the Ray head did not start:\n{log_tail(log_path, lines=30)}")
            time.sleep(0.2)
        _group_weight(process.pid, SERVING_NICENESS)
        return head

    def _answers(self) -> bool:
        """True once the head's log says it is up (GCS and raylet started, drivers may connect)."""
        try:
            return "Ray runtime started" in self.log_path.read_text(errors="replace")
        except OSError:
            return False

    def stop(self, grace_s: float = 10.0) -> None:
        """SIGTERM the head (it takes its raylet, GCS and workers down), then SIGKILL every
        process still in its session, workers that changed process group included."""
        session = self.process.pid
        signal_group(session, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(grace_s)
        for proc in psutil.process_iter():
            try:
                if os.getsid(proc.pid) == session:
                    proc.kill()
            except (ProcessLookupError, PermissionError, psutil.Error):
                pass
        signal_group(session, signal.SIGKILL)
        if self.process.poll() is None:
            self.process.wait(5)

    def __enter__(self) -> RayHead:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def _group_weight(session: int, niceness: int) -> None:
    """Set the CPU weight of the head's session (Linux autogroup), where the kernel has one.

    Why: with autogroups the scheduler shares the CPU per session, and every process of the
    head (GCS, raylet, agents, Serve's controller and proxy, every replica) lives in its one
    session, while each local replica gets a session to itself. A busy machine then starves the
    head's agents past the raylet's fixed 15 s wait, and measures Ray against an unequal share.
    ``STARTING_NICENESS`` lets the head come up; ``SERVING_NICENESS`` weighs it as the few
    sessions its processes would be as local processes."""
    with contextlib.suppress(OSError):
        Path(f"/proc/{session}/autogroup").write_text(str(niceness))


def _free_port_below_ray_workers() -> int:
    """A free loopback port outside Ray's worker range (10002-19999), which the head refuses."""
    for _ in range(50):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if not 10002 <= port <= 19999:
            return port
    raise RuntimeError("no free port outside Ray's worker range")
