"""The Ray Serve backend: every deployment one Serve application on an existing Ray cluster.

A deployment's cpu and memory become ``ray_actor_options`` (``num_cpus``, ``memory``: Ray's
reservations, not limits), its replicas ``num_replicas`` (an autoscaling policy's count too: the
workspace's autoscaler decides it and calls ``scale``); a scale re-runs the application with only
the count changed, which Serve applies in place; a stop is ``serve.delete``. State comes from
Serve's own view (the controller's serve details), polled by one thread so ``ready_urls``,
called per request, does no I/O.

Why Serve's HTTP proxy and not a ``DeploymentHandle``: through the proxy our router stays the
one request path for both backends (its retries, back-pressure, timeouts and the draining count
that makes a redeploy fail no request), with no second, handle-shaped path to keep equivalent.
Measured (bench/bench_ray_serving.py, one shared 2-core machine): the same Serve replica answered
~2x the requests/s through a handle from a driver as through the proxy, so a handle path is the
lever once a cluster's throughput rests on the front. ``ready_urls`` answers one
URL per running replica under the application's route prefix, so the router's per-replica bound
on requests in flight grows with the replica count; Serve's proxy picks the replica.

Example::

    backend = RayServeBackend("127.0.0.1:6390", serve_port=8790)
    backend.deploy(DeploymentSpec("dep-1", build_dir, file_path="model.py",
                                  function_name="predict", cpu=1, memory_gb=0.5, replicas=2))
    backend.ready_urls("dep-1")    # ["http://127.0.0.1:8790/dep-1/r0", ".../dep-1/r1"]
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import secrets
import threading
import time
from dataclasses import replace
from typing import Any

import psutil

from workspace.serving.backend import DeploymentSpec, ReplicaState, ReplicaStatus
from workspace.serving.ray_connection import connect, serve_details
from workspace.serving.ray_options import (
    actor_options,
    describe_resources,
    fits,
    replica_count,
)

log = logging.getLogger(__name__)
POLL_S = 0.1
UNPLACEABLE_AFTER_S = 2.0
"""A replica still unscheduled this long is checked against what the cluster's nodes can hold."""
MAX_ONGOING_REQUESTS = 8  # what our router sends each replica at most
_STATES = {
    "RUNNING": ReplicaState.READY,
    "STOPPING": ReplicaState.STOPPED,
    "STOPPED": ReplicaState.STOPPED,
}


class RayServeBackend:
    """``ServingBackend`` whose replicas are Serve replicas reached through Serve's HTTP proxy."""

    def __init__(self, address: str, *, serve_port: int) -> None:
        self.proxy_url = connect(address, serve_port=serve_port)
        self._specs: dict[str, DeploymentSpec] = {}
        self._secrets: dict[str, str] = {}
        self._apps: dict[str, dict[str, Any]] = {}
        self._processes: dict[int, psutil.Process] = {}
        self._node_limits: tuple[float, list[dict[str, float]]] = (0.0, [])
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._poll_once()
        self._poller = threading.Thread(target=self._poll, name="ray-serve-status", daemon=True)
        self._poller.start()
        atexit.register(self.shutdown)

    def deploy(self, spec: DeploymentSpec) -> None:
        """Create (or replace) the deployment's application; returns once Serve accepted it."""
        with self._lock:
            self._specs[spec.deployment_id] = spec
            self._secrets[spec.deployment_id] = secrets.token_urlsafe(32)
        self._run(spec)

    def scale(self, deployment_id: str, replicas: int) -> None:
        """Same application, new count: Serve adds or removes replicas, keeping the others."""
        with self._lock:
            spec = self._specs[deployment_id] = replace(
                self._specs[deployment_id], replicas=replicas
            )
        self._run(spec)

    def _run(self, spec: DeploymentSpec) -> None:
        from ray import serve

        from workspace.serving.ray_replica import ModelReplicaDeployment

        build = {
            "build_dir": str(spec.build_dir),
            "file_path": spec.file_path,
            "function_name": spec.function_name,
            "model_uri": spec.model_uri,
        }
        secret = self._secrets[spec.deployment_id]
        # One code version per deploy (Serve's declarative configs have one too): a scale that
        # keeps it only changes the count in place; a fresh random one would replace replicas.
        app = ModelReplicaDeployment.options(
            version=hashlib.sha256(secret.encode()).hexdigest()[:16],
            _internal=True,
            **replica_count(spec),
            max_ongoing_requests=MAX_ONGOING_REQUESTS,
            graceful_shutdown_timeout_s=5,
            graceful_shutdown_wait_loop_s=0.5,
            ray_actor_options=actor_options(spec),
        ).bind(build, secret)
        name = spec.deployment_id
        serve._run(app, name=name, route_prefix=f"/{name}", _blocking=False)

    def stop(self, deployment_id: str) -> None:
        """Delete the application and wait until Serve has stopped its replicas."""
        from ray import serve

        with self._lock:
            self._specs.pop(deployment_id, None)
            self._secrets.pop(deployment_id, None)
        if deployment_id in self._apps or deployment_id in serve_details():
            serve.delete(deployment_id, _blocking=True)
        with self._lock:
            self._apps.pop(deployment_id, None)

    def secret(self, deployment_id: str) -> str | None:
        return self._secrets.get(deployment_id)

    def replica_room(self, cpu: float, memory_gb: float) -> int:
        """How many replicas of this size the cluster's CPU and memory reservations hold."""
        import ray

        total = ray.cluster_resources()
        by_cpu = total.get("CPU", 0.0) / cpu if cpu > 0 else float("inf")
        by_memory = total.get("memory", 0.0) / (memory_gb * 1024**3)
        return max(0, int(min(by_cpu, by_memory) + 1e-9))

    def ready_urls(self, deployment_id: str) -> list[str]:
        """Cheap enough to call per request: the poller's latest view, no I/O."""
        app = self._apps.get(deployment_id)
        if app is None or deployment_id not in self._specs:
            return []
        running = sum(r["state"] == "RUNNING" for r in _replicas(app))
        return [f"{self.proxy_url}/{deployment_id}/r{index}" for index in range(running)]

    def status(self, deployment_id: str) -> list[ReplicaStatus]:
        return self._report(deployment_id, fresh=False)

    def metrics(self, deployment_id: str) -> list[ReplicaStatus]:
        """CPU since the previous sample and resident memory now, of replicas on this machine
        (a replica on another node shows its state with zero use)."""
        return self._report(deployment_id, fresh=True)

    def shutdown(self) -> None:
        """Delete every application this backend runs (replicas end with the server, as local
        ones do), then disconnect from the cluster; safe to call twice."""
        if self._closed.is_set():
            return
        for deployment_id in list(self._specs):
            try:
                self.stop(deployment_id)
            except Exception as exc:  # the cluster may be gone already
                log.warning("could not delete Serve application %s: %s", deployment_id, exc)
        self._closed.set()
        if self._poller is not threading.current_thread():
            self._poller.join(timeout=5)  # no Serve call may follow the disconnect
        import ray

        ray.shutdown()

    def _report(self, deployment_id: str, *, fresh: bool) -> list[ReplicaStatus]:
        spec = self._specs.get(deployment_id)
        app = self._apps.get(deployment_id)
        if spec is None or app is None:
            return []
        failure = self._failure(app, spec)
        rows = []
        for replica in _replicas(app):
            state = _STATES.get(replica["state"], ReplicaState.STARTING)
            cpu, memory_mb = self._sample(replica, fresh=fresh)
            rows.append(
                ReplicaStatus(
                    replica_id=f"{deployment_id}-{replica['replica_id']}",
                    deployment_id=deployment_id,
                    state=ReplicaState.FAILED if failure and state != state.READY else state,
                    url=f"{self.proxy_url}/{deployment_id}",
                    pid=replica.get("pid"),
                    restarts=len(_deployment(app).get("recent_dead_replicas") or ()),
                    cpu_percent=round(cpu, 1),
                    cpu_limit=spec.cpu,
                    memory_mb=round(memory_mb, 1),
                    memory_limit_mb=round(spec.memory_gb * 1024, 1),
                    last_error=failure or _deployment(app).get("message") or None,
                )
            )
        if failure and not rows:  # Serve gave up and holds no replica: report it failed
            rows = [_failed_row(spec, index, failure) for index in range(spec.replicas)]
        return rows

    def _failure(self, app: dict[str, Any], spec: DeploymentSpec) -> str | None:
        """Why the deployment cannot come up, in Serve's or Ray's words; None while it may."""
        deployment = _deployment(app)
        if app.get("status") == "DEPLOY_FAILED" or deployment.get("status") == "DEPLOY_FAILED":
            return deployment.get("message") or app.get("message") or "Serve gave up"
        now = time.time()
        waiting = [
            r
            for r in _replicas(app)
            if r.get("pid") is None and now - r.get("start_time_s", now) > UNPLACEABLE_AFTER_S
        ]
        if not waiting:
            return None
        required = deployment.get("required_resources") or {}
        nodes = self._node_resources()
        if nodes and not any(fits(required, node) for node in nodes):
            largest = max(nodes, key=lambda node: node.get("CPU", 0.0))
            needs, offered = describe_resources(required), describe_resources(largest)
            return (
                f"Ray cannot place a replica: it needs {needs} and no node of the cluster has "
                f"that much (largest node: {offered})"
            )
        return None

    def _node_resources(self) -> list[dict[str, float]]:
        import ray

        checked, nodes = self._node_limits
        if time.monotonic() - checked > 5.0:
            nodes = [node["Resources"] for node in ray.nodes() if node.get("Alive")]
            self._node_limits = (time.monotonic(), nodes)
        return nodes

    def _sample(self, replica: dict[str, Any], *, fresh: bool) -> tuple[float, float]:
        pid = replica.get("pid")
        if pid is None or replica.get("node_ip") not in {"127.0.0.1", None}:
            return 0.0, 0.0
        process = self._processes.get(pid)
        try:
            if process is None:
                process = self._processes[pid] = psutil.Process(pid)
                process.cpu_percent(None)  # the baseline the first sample measures from
            cpu = process.cpu_percent(None) if fresh else 0.0
            return cpu, process.memory_info().rss / 1024**2
        except psutil.Error:
            self._processes.pop(pid, None)
            return 0.0, 0.0

    def _poll(self) -> None:
        while not self._closed.wait(POLL_S):
            try:
                self._poll_once()
            except Exception as exc:  # a controller restart: keep the last view, try again
                log.warning("Serve status unavailable: %s", exc)
                time.sleep(1.0)

    def _poll_once(self) -> None:
        self._apps = serve_details()


def _deployment(app: dict[str, Any]) -> dict[str, Any]:
    return next(iter((app.get("deployments") or {}).values()), {})


def _replicas(app: dict[str, Any]) -> list[dict[str, Any]]:
    return list(_deployment(app).get("replicas") or ())


def _failed_row(spec: DeploymentSpec, index: int, reason: str) -> ReplicaStatus:
    return ReplicaStatus(
        replica_id=f"{spec.deployment_id}-{index}",
        deployment_id=spec.deployment_id,
        state=ReplicaState.FAILED,
        url=None,
        pid=None,
        restarts=0,
        cpu_percent=0.0,
        cpu_limit=spec.cpu,
        memory_mb=0.0,
        memory_limit_mb=round(spec.memory_gb * 1024, 1),
        last_error=reason,
    )
