"""The evaluator of autoscaling replication policies: observe, decide, scale, record.

Every ``LAB_AUTOSCALE_INTERVAL_S`` it reads, for each deployed deployment with an autoscaling
policy, what the last ``LAB_AUTOSCALE_WINDOW_S`` of traffic was (rate, p95 and service time from
the request metrics the telemetry writes, requests in flight from the router), asks
``workspace.autoscaling.decide`` for a count and scales through the serving backend's own
``scale`` call (``Deployer.scale``). A change is an ``autoscaling`` event in the deployment's
history; ``lab_replicas_desired`` and ``lab_replicas_actual`` show both counts to Prometheus.

Why the workspace decides on every backend, Ray Serve included: the policy's targets (p95 of the
endpoint as users see it, requests in the router) are the workspace's observations, and one
controller per count keeps the two backends consistent; Serve runs the fixed count it is given.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

import numpy as np
from prometheus_client import CollectorRegistry, Gauge
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from workspace.autoscaling import (
    MIN_ANSWERS_FOR_P95,
    Observation,
    ScalingDecision,
    ScalingState,
    decide,
)
from workspace.core.config import WorkspaceSettings
from workspace.schemas.models import ReplicationPolicy
from workspace.schemas.states import DeploymentStatus
from workspace.server.services.deployment_history import record_event
from workspace.server.services.deployments import Deployer
from workspace.server.services.errors import InvalidRequest
from workspace.server.storage import tables as db
from workspace.serving.backend import ReplicaState, ServingBackend
from workspace.serving.router import ModelRouter

log = logging.getLogger("workspace.autoscaler")
EVENT_KIND = "autoscaling"


def check_policy_fits(
    backend: ServingBackend,
    policy: ReplicationPolicy,
    *,
    cpu: float | None = None,
    memory_gb: float | None = None,
) -> None:
    """Refuse (400) an autoscaling policy the serving backend cannot carry out: one without a
    scale call, or (given a replica size: a deployment's) whose ``max_replicas`` replicas of that
    size it cannot hold."""
    if not policy.autoscaling:
        return
    name = type(backend).__name__
    if not callable(getattr(backend, "scale", None)):
        raise InvalidRequest(
            f"replication_policy.type: the {name} serving backend cannot scale a deployment; "
            "use a fixed policy"
        )
    room = getattr(backend, "replica_room", None)
    if cpu is None or memory_gb is None or not callable(room):
        return
    most = room(cpu, memory_gb)
    if int(policy.max_replicas or 1) > most:
        raise InvalidRequest(
            f"replication_policy.max_replicas: {policy.max_replicas} replicas of {cpu:g} vCPU "
            f"and {memory_gb:g} GB exceed what the serving backend can hold ({most}); "
            "lower max_replicas or the replica size"
        )


class Autoscaler:
    """Evaluates every autoscaling policy of the running deployments, on its own schedule."""

    def __init__(
        self,
        settings: WorkspaceSettings,
        sessions: sessionmaker,
        *,
        deployer: Deployer,
        backend: ServingBackend,
        router: ModelRouter,
        registry: CollectorRegistry,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.deployer = deployer
        self.backend = backend
        self.router = router
        self.desired = Gauge(
            "lab_replicas_desired",
            "Replicas the autoscaling policy of a deployment wants now.",
            ["deployment"],
            registry=registry,
        )
        self.actual = Gauge(
            "lab_replicas_actual",
            "Ready replicas of a deployment with an autoscaling policy.",
            ["deployment"],
            registry=registry,
        )
        self._states: dict[str, tuple[dict, ScalingState]] = {}
        self._first_seen: dict[str, float] = {}

    def evaluate(self, now: float | None = None) -> list[ScalingDecision]:
        """One round over the deployments with a policy; the decisions taken."""
        now = time.time() if now is None else now
        with self.sessions() as session:
            rows = session.execute(
                select(
                    db.Deployment.id,
                    db.Deployment.crn,
                    db.Deployment.replicas,
                    db.Deployment.autoscaling_policy,
                ).where(db.Deployment.status == DeploymentStatus.DEPLOYED)
            ).all()
        active = set(self.deployer.active())
        decisions = []
        watched = set()
        for deployment_id, crn, replicas, stored in rows:
            if not stored or deployment_id not in active:
                continue
            watched.add(deployment_id)
            decisions.append(self._evaluate_one(deployment_id, crn, replicas, stored, now))
        for gone in set(self._states) - watched:
            self._forget(gone)
        return decisions

    def _evaluate_one(
        self, deployment_id: str, crn: str, replicas: int, stored: dict, now: float
    ) -> ScalingDecision:
        policy = ReplicationPolicy.of(stored, replicas)
        known, state = self._states.get(deployment_id, (None, ScalingState()))
        if known != stored:  # a new or switched policy starts its memory afresh
            state = ScalingState()
        seen = self.observe(deployment_id, crn, now)
        decision, state = decide(
            policy, replicas, seen, state, now=now, cooldown_s=self.settings.autoscale_cooldown_s
        )
        self._states[deployment_id] = (stored, state)
        if decision.action != "hold" and self.deployer.scale(deployment_id, decision.desired):
            verb = "scaled up" if decision.action == "up" else "scaled down"
            record_event(
                self.sessions,
                deployment_id,
                EVENT_KIND,
                f"{verb} {decision.current} -> {decision.desired}: {decision.reason}",
                decision.details(),
                ts_ms=int(now * 1000),
            )
        ready = sum(r.state == ReplicaState.READY for r in self.backend.status(deployment_id))
        self.desired.labels(deployment_id).set(decision.desired)
        self.actual.labels(deployment_id).set(ready)
        return decision

    def observe(self, deployment_id: str, crn: str, now: float) -> Observation:
        """The deployment's traffic over the window: from the request metrics (answered rate,
        p95 and p25 latency as the service time, as ``workspace.monitoring`` estimates it) and
        the router's count of requests in flight (Little's law over the window when higher)."""
        first = self._first_seen.setdefault(deployment_id, now)
        window = self.settings.autoscale_window_s
        span = max(min(window, now - first), self.settings.autoscale_interval_s)
        since_ms = int((now - window) * 1000)
        with self.sessions() as session:
            rows = session.execute(
                select(db.PredictionMetric.latency_ms, db.PredictionMetric.status_code).where(
                    db.PredictionMetric.deployment_crn == crn,
                    db.PredictionMetric.start_ms >= since_ms,
                    db.PredictionMetric.prediction_uuid != "",
                )
            ).all()
        latencies = np.array([lat or 0.0 for lat, _ in rows], dtype=float)
        ok = np.array([lat or 0.0 for lat, code in rows if code == 200], dtype=float)
        little = float(latencies.sum()) / 1000 / span if len(latencies) else 0.0
        in_flight = max(float(self.router.inflight(deployment_id)), little)
        return Observation(
            rate=len(rows) / span,
            in_flight=in_flight,
            p95_ms=float(np.percentile(ok, 95)) if len(ok) >= MIN_ANSWERS_FOR_P95 else None,
            service_s=max(float(np.percentile(ok, 25)), 1.0) / 1000 if len(ok) else None,
            answered=len(ok),
        )

    def _forget(self, deployment_id: str) -> None:
        self._states.pop(deployment_id, None)
        self._first_seen.pop(deployment_id, None)
        for gauge in (self.desired, self.actual):
            with contextlib.suppress(KeyError):
                gauge.remove(deployment_id)

    async def evaluate_forever(self, interval_s: float) -> None:
        while True:
            await asyncio.sleep(interval_s)
            try:
                await asyncio.to_thread(self.evaluate)
            except Exception:
                log.exception("evaluating autoscaling policies failed; will retry")
