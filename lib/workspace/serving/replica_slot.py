"""One replica slot of the local backend: its current process, its limits and its history.

Why a slot outlives its process: CML shows a replica with a restart count and the reason it last
died; the slot keeps id, restarts and ``last_error`` while processes come and go. Every state
change happens in ``check`` (called by the backend's supervisor thread) or ``stop``, under one lock.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import psutil

from workspace.processes.groups import (
    log_tail,
    signal_group,
    start_in_group,
    stop_group,
    tree_rss,
)
from workspace.processes.limits import Cgroup
from workspace.serving.backend import DeploymentSpec, ReplicaState

REPLICA_SERVER = "workspace.replica.server"

MAX_FAILURES_BEFORE_READY = 3
"""Starts in a row that die before becoming ready, after which the replica is marked failed."""


class ReplicaProcess:
    def __init__(
        self, replica_id: str, spec: DeploymentSpec, *, log_dir: Path, env: dict[str, str]
    ) -> None:
        self.replica_id = replica_id
        self.spec = spec
        self.env = env
        self.log_path = log_dir / f"{replica_id}.log"
        self.memory_limit = int(spec.memory_gb * 1024**3)
        self.cores: list[int] = []
        self.cgroup: Cgroup | None = None
        self.lock = threading.Lock()
        self.state = ReplicaState.STARTING
        self.url: str | None = None
        self.proc: subprocess.Popen[bytes] | None = None
        self.ps: psutil.Process | None = None
        self.restarts = 0
        self.failures = 0
        self.last_error: str | None = None
        self.next_start = 0.0
        self._oom_seen = 0
        self._watchdog_killed = False
        self._was_ready = False
        self.cpu_percent = 0.0

    @property
    def pid(self) -> int | None:
        proc = self.proc  # read once: the supervisor may replace it meanwhile
        return proc.pid if proc else None

    def start(self) -> None:
        """Spawn a process in its own session (so its whole tree can be killed) on a free port."""
        port = _free_port()
        env = {
            **self.env,
            "LAB_REPLICA_ID": self.replica_id,
            "LAB_REPLICA_PARENT_PID": str(os.getpid()),
            "LAB_REPLICA_CPUS": ",".join(map(str, self.cores)),
        }
        command = [self.spec.python or sys.executable, "-m", REPLICA_SERVER, "--port", str(port)]
        command += ["--build-dir", str(self.spec.build_dir), "--replica-id", self.replica_id]
        if self.spec.model_uri:
            command += ["--model-uri", self.spec.model_uri]
        else:
            command += ["--file-path", str(self.spec.file_path)]
            command += ["--function-name", str(self.spec.function_name)]
        self.proc = start_in_group(
            command,
            cwd=self.spec.build_dir,
            env=env,
            log_path=self.log_path,
            header=f"start {self.restarts}",
        )
        self.ps = psutil.Process(self.proc.pid)
        self.ps.cpu_percent(None)  # the baseline the first sample measures from
        if self.cgroup is not None:
            try:
                self.cgroup.add(self.proc.pid)
                self._oom_seen = self.cgroup.oom_kills()
            except OSError as exc:
                self.last_error = f"cgroup limits not applied: {exc}"
        self.url = f"http://127.0.0.1:{port}"
        self._watchdog_killed = False
        self._was_ready = False
        self.state = ReplicaState.STARTING

    def check(self, now: float) -> None:
        """One supervision step: notice death (and why), restart, poll readiness, watch memory."""
        with self.lock:
            if self.state in (ReplicaState.STOPPED, ReplicaState.FAILED):
                return
            if self.proc is None:
                if now >= self.next_start:
                    self.start()
                return
            code = self.proc.poll()
            if code is not None:
                self._died(code, now)
                return
            self._watch_memory()
            url = self.url if self.state == ReplicaState.STARTING else None
        if url and _is_ready(url):
            with self.lock:
                if self.state == ReplicaState.STARTING and self.url == url:
                    self.state = ReplicaState.READY
                    self._was_ready = True
                    self.failures = 0

    def _died(self, code: int, now: float) -> None:
        self._kill_group(signal.SIGKILL)  # children of a dead replica must not linger
        oom = self._watchdog_killed or (
            self.cgroup is not None and self.cgroup.oom_kills() > self._oom_seen
        )
        limit_mb = self.memory_limit // 1024**2
        if oom:
            self.last_error = f"OOM: the replica used more than its memory limit of {limit_mb} MB"
        else:
            self.last_error = f"exited with code {code}; log tail:\n{self.log_tail()}"
        self.failures = 1 if self._was_ready else self.failures + 1
        self.proc, self.ps, self.url = None, None, None
        if self.failures >= MAX_FAILURES_BEFORE_READY:
            self.state = ReplicaState.FAILED
            return
        self.state = ReplicaState.STARTING
        self.restarts += 1
        self.next_start = now + (0.0 if self.failures <= 1 else 0.5 * 2 ** (self.failures - 2))
        if now >= self.next_start:
            self.start()

    def _watch_memory(self) -> None:
        """Kill a replica whose resident memory passed its limit (the kernel does it where a cgroup
        holds it; this covers machines without one)."""
        try:
            rss = self.ps.memory_info().rss if self.ps else 0
        except psutil.Error:
            return
        if rss > self.memory_limit:
            self._watchdog_killed = True
            self._kill_group(signal.SIGKILL)

    def stop(self, timeout_s: float = 5.0) -> None:
        """Stop for good: SIGTERM the process group, SIGKILL what is left, wait until it is gone."""
        with self.lock:
            self.state = ReplicaState.STOPPED
            proc, self.url = self.proc, None
            if proc is not None:
                stop_group(proc, timeout_s)
            self.proc, self.ps = None, None
            if self.cgroup is not None:
                self.cgroup.remove()

    def _kill_group(self, sig: int) -> None:
        if self.proc is not None:
            signal_group(self.proc.pid, sig)

    def sample(self, *, cpu: bool) -> tuple[float, float]:
        """CPU % (100 = one core) since the previous CPU sample (or the last one taken, when
        ``cpu`` is false), and resident memory in MB of the replica's process tree now."""
        ps = self.ps
        if ps is None:
            return 0.0, 0.0
        if cpu:
            try:
                self.cpu_percent = ps.cpu_percent(None)
            except psutil.Error:
                return 0.0, 0.0
        return self.cpu_percent, tree_rss(ps) / 1024**2

    def log_tail(self, lines: int = 20) -> str:
        return log_tail(self.log_path, lines=lines)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _is_ready(url: str) -> bool:
    host, _, port = url.removeprefix("http://").partition(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=0.5)
    try:
        connection.request("GET", "/ready")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()
