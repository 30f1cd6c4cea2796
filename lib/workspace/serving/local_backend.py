"""The embedded serving backend: every replica a local process held to its CPU share and memory.

Why one supervisor thread: it spawns every replica, notices deaths within ~50 ms, restarts them,
polls readiness and watches memory, so API calls (``deploy``, ``status``) never block on a child
process. A replica that cannot even be spawned fails alone, with its reason.

Why a lifeline pipe: every replica holds the read end of one pipe whose write end only this
process holds, so replicas end with this process (kill -9 included), not with the thread that
happened to spawn them; a per-deployment secret keeps other local processes from calling them.

Example::

    backend = LocalProcessBackend(lab_home / "serving")
    backend.deploy(DeploymentSpec("dep-1", build_dir, file_path="model.py",
                                  function_name="predict", cpu=1, memory_gb=0.5, replicas=2))
    backend.ready_urls("dep-1")     # ["http://127.0.0.1:41235", ...] once loaded and warmed
    backend.shutdown()
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import math
import os
import re
import secrets
import threading
import time
from dataclasses import replace
from pathlib import Path

import psutil

from workspace.processes.environment import base_environment, with_lab_on_path
from workspace.processes.limits import Cgroup, CoreAllocator, cgroups_enabled
from workspace.serving.backend import DeploymentSpec, ReplicaState, ReplicaStatus
from workspace.serving.replica_slot import ReplicaProcess

SUPERVISE_EVERY_S = 0.05
log = logging.getLogger(__name__)


class LocalProcessBackend:
    """``ServingBackend`` running replicas as subprocesses of this one, on loopback ports."""

    def __init__(
        self,
        root_dir: Path,
        *,
        env: dict[str, str] | None = None,
        cgroups: bool | None = None,
    ) -> None:
        self.root_dir = Path(root_dir)
        self.log_dir = self.root_dir / "logs"
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.env = with_lab_on_path(env if env is not None else base_environment())
        # Replicas hold the read end; when this process ends, however it ends, the kernel closes
        # the write end and every replica sees end-of-file and exits (no thread is involved).
        self._lifeline_read, self._lifeline_write = os.pipe()
        self._secrets: dict[str, str] = {}
        self.use_cgroups = cgroups_enabled() if cgroups is None else cgroups
        self.cores = CoreAllocator()
        self._deployments: dict[str, list[ReplicaProcess]] = {}
        self._specs: dict[str, DeploymentSpec] = {}
        self._retiring: set[ReplicaProcess] = set()  # being stopped by another thread
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._supervisor = threading.Thread(
            target=self._supervise, name="replica-supervisor", daemon=True
        )
        self._supervisor.start()
        atexit.register(self.shutdown)

    def deploy(self, spec: DeploymentSpec) -> None:
        """Register the replicas; the supervisor starts them at once. Redeploying an id replaces
        its replicas."""
        if spec.deployment_id in self._deployments:
            self.stop(spec.deployment_id)
        with self._lock:
            self._specs[spec.deployment_id] = spec
            self._deployments[spec.deployment_id] = []
            self._secrets[spec.deployment_id] = secrets.token_urlsafe(32)
        self.scale(spec.deployment_id, spec.replicas)

    def scale(self, deployment_id: str, replicas: int) -> None:
        """Add replicas (started by the supervisor) or stop the newest ones until ``replicas``."""
        with self._lock:
            spec = self._specs[deployment_id] = replace(
                self._specs[deployment_id], replicas=replicas
            )
            current = self._deployments[deployment_id]
            surplus = current[replicas:]
            del current[replicas:]
            self._retiring.update(surplus)
            for index in range(len(current), replicas):
                current.append(self._new_replica(spec, index))
        for replica in surplus:
            self._retire(replica)

    def _new_replica(self, spec: DeploymentSpec, index: int) -> ReplicaProcess:
        replica_id = f"{_safe(spec.deployment_id)}-{index}"
        env = {**self.env, **spec.environment}
        threads = str(max(1, math.ceil(spec.cpu)))
        for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env.setdefault(name, threads)
        replica = ReplicaProcess(
            replica_id,
            spec,
            log_dir=self.log_dir,
            env=env,
            secret=self._secrets[spec.deployment_id],
            lifeline_fd=self._lifeline_read,
            run_as=spec.account,
        )
        replica.cores = self.cores.take(spec.cpu)
        if self.use_cgroups:
            replica.cgroup = Cgroup.create(
                f"lab-{os.getpid()}-{replica_id}", cpu=spec.cpu, memory_bytes=replica.memory_limit
            )
        return replica

    def _retire(self, replica: ReplicaProcess) -> None:
        """Stop a replica already moved to ``_retiring`` (under the lock that unlisted it, so
        ``shutdown`` always sees it in one place or the other)."""
        try:
            replica.stop()
            self.cores.give_back(replica.cores)
        finally:
            with self._lock:
                self._retiring.discard(replica)

    def stop(self, deployment_id: str) -> None:
        """Stop every replica of the deployment and wait until their processes are gone."""
        with self._lock:
            replicas = self._deployments.pop(deployment_id, [])
            self._specs.pop(deployment_id, None)
            self._secrets.pop(deployment_id, None)
            self._retiring.update(replicas)
        for replica in replicas:
            self._retire(replica)

    def status(self, deployment_id: str) -> list[ReplicaStatus]:
        return [self._report(replica, fresh=False) for replica in self._replicas(deployment_id)]

    def metrics(self, deployment_id: str) -> list[ReplicaStatus]:
        """A fresh sample: CPU since the previous sample, resident memory now."""
        return [self._report(replica, fresh=True) for replica in self._replicas(deployment_id)]

    def ready_urls(self, deployment_id: str) -> list[str]:
        """Cheap enough to call per request: no I/O, just the supervisor's latest view."""
        replicas = self._deployments.get(deployment_id, ())
        return [r.url for r in replicas if r.state == ReplicaState.READY and r.url]

    def secret(self, deployment_id: str) -> str | None:
        """What a request must carry in ``REPLICA_SECRET_HEADER`` for this deployment's replicas
        to answer it; None when the deployment does not run here."""
        return self._secrets.get(deployment_id)

    def replica_room(self, cpu: float, memory_gb: float) -> int:
        """How many replicas of this size the machine holds: their memory limits together stay
        within its memory (CPU shares may overlap; memory limits are what a replica may use)."""
        return max(0, int(psutil.virtual_memory().total // (memory_gb * 1024**3)))

    def replica_log(self, replica_id: str, lines: int = 50) -> str:
        """The tail of a replica's log, to show why it failed."""
        for replicas in list(self._deployments.values()):
            for replica in replicas:
                if replica.replica_id == replica_id:
                    return replica.log_tail(lines)
        return ""

    def shutdown(self) -> None:
        """Stop every deployment and the supervisor; safe to call twice (it also runs at exit).

        Returns only when no replica process is left, including those another thread is still
        stopping: a server may end by re-raising SIGTERM, which runs no exit handlers, and a
        replica it has not waited for would outlive it."""
        for deployment_id in list(self._deployments):
            self.stop(deployment_id)
        with self._lock:
            retiring = list(self._retiring)
        for replica in retiring:
            replica.stop()  # waits on the replica's lock until the other thread's stop is done
        self._closed.set()
        if self._supervisor.is_alive() and threading.current_thread() is not self._supervisor:
            self._supervisor.join(timeout=5)
        for fd in (self._lifeline_write, self._lifeline_read):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._lifeline_read = self._lifeline_write = -1

    def _replicas(self, deployment_id: str) -> list[ReplicaProcess]:
        with self._lock:
            return list(self._deployments.get(deployment_id, ()))

    def _report(self, replica: ReplicaProcess, *, fresh: bool) -> ReplicaStatus:
        cpu, memory_mb = replica.sample(cpu=fresh)
        return ReplicaStatus(
            replica_id=replica.replica_id,
            deployment_id=replica.spec.deployment_id,
            state=replica.observed_state(),
            url=replica.url,
            pid=replica.pid,
            restarts=replica.restarts,
            cpu_percent=round(cpu, 1),
            cpu_limit=replica.spec.cpu,
            memory_mb=round(memory_mb, 1),
            memory_limit_mb=round(replica.memory_limit / 1024**2, 1),
            last_error=replica.last_error,
        )

    def _supervise(self) -> None:
        while not self._closed.wait(SUPERVISE_EVERY_S):
            with self._lock:
                replicas = [r for rs in self._deployments.values() for r in rs]
            now = time.monotonic()
            for replica in replicas:
                try:
                    replica.check(now)
                except Exception:  # one replica's fault must never end supervision of the rest
                    log.exception("supervising replica %s failed", replica.replica_id)


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "-", name)
