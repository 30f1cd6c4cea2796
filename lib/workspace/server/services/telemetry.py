"""Request metrics, replica resource samples and Prometheus figures.

Why buffered: the model endpoint appends one row per request to memory and a background task
hands them in batches to a writer, so serving never waits on the database; ``flush()`` runs
before any read or merge so callers always see their own predictions. The server's writer is a
child process below serving's CPU priority (see ``metric_writer``); by default, as in tests, the
flushing thread writes.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from sqlalchemy import delete, insert
from sqlalchemy.orm import sessionmaker

from workspace.server.services.metric_writer import write_metric_rows
from workspace.server.storage import tables as db
from workspace.serving.backend import ReplicaState, ServingBackend

log = logging.getLogger("workspace.telemetry")

DAY_MS = 24 * 3600 * 1000
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
MetricWriter = Callable[[list[dict[str, Any]]], None]
"""Commits one batch of request rows, or raises having committed none of it."""


def writer_in_thread(sessions: sessionmaker) -> MetricWriter:
    """Rows written by whichever thread flushes, in one transaction per batch."""

    def write(rows: list[dict[str, Any]]) -> None:
        with sessions() as session:
            write_metric_rows(session.connection(), rows)
            session.commit()

    return write


class Telemetry:
    """Counts and buffers model requests; samples the replicas of ``active_deployments()``."""

    def __init__(
        self,
        sessions: sessionmaker,
        backend: ServingBackend,
        active_deployments: Callable[[], list[str]],
        *,
        writer: MetricWriter | None = None,
    ) -> None:
        self.sessions = sessions
        self.writer = writer or writer_in_thread(sessions)
        self.backend = backend
        self.active_deployments = active_deployments
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "lab_requests_total",
            "Model endpoint requests by model and HTTP status.",
            ["model", "code"],
            registry=self.registry,
        )
        self.duration = Histogram(
            "lab_request_duration_seconds",
            "Model endpoint request duration, router included.",
            ["model"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.replicas_ready = Gauge(
            "lab_replicas_ready",
            "Ready replicas per deployment.",
            ["deployment"],
            registry=self.registry,
        )
        self.replica_memory = Gauge(
            "lab_replica_memory_bytes",
            "Resident memory per replica.",
            ["deployment", "replica"],
            registry=self.registry,
        )
        self.replica_memory_limit = Gauge(
            "lab_replica_memory_limit_bytes",
            "Memory limit per replica.",
            ["deployment", "replica"],
            registry=self.registry,
        )
        self.replica_cpu = Gauge(
            "lab_replica_cpu_usage_ratio",
            "CPU used per replica as a fraction of one core.",
            ["deployment", "replica"],
            registry=self.registry,
        )
        self.pending_rows = Gauge(
            "lab_metric_rows_pending",
            "Request metric rows not yet written.",
            registry=self.registry,
        )
        self._rows: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        # One flush at a time: a reader's flush (GET metrics) that found the buffer just emptied
        # by the background flush must wait until that batch is written, or it reads without it.
        self._flushing = threading.Lock()
        self._children: dict[tuple[str, int], tuple[Any, Any]] = {}

    def record(self, row: dict[str, Any], model: str, seconds: float) -> None:
        """One request served: buffer its row and count it (hot path, no I/O)."""
        with self._lock:
            self._rows.append(row)
        key = (model, row["status_code"])
        children = self._children.get(key)
        if children is None:
            children = (self.requests.labels(model, str(key[1])), self.duration.labels(model))
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)

    def flush(self) -> int:
        """Write buffered rows in one batch; safe from any thread. Returns once every row
        recorded before the call is written, including a batch another flush had in hand."""
        with self._flushing:
            return self._flush()

    def _flush(self) -> int:
        with self._lock:
            rows, self._rows = self._rows, []
        self.pending_rows.set(0)
        if not rows:
            return 0
        try:
            self.writer(rows)
        except Exception:
            with self._lock:  # kept, ahead of what came since, for the next flush
                self._rows[:0] = rows
            self.pending_rows.set(len(self._rows))
            raise
        return len(rows)

    def purge(self, *, metrics_days: float, samples_days: float) -> tuple[int, int]:
        """Delete prediction metrics and replica samples older than their retention; how many
        of each. Why: both grow by a row per request or per sample for as long as the
        workspace runs."""
        now_ms = int(time.time() * 1000)
        metrics_cut = now_ms - int(metrics_days * DAY_MS)
        samples_cut = now_ms - int(samples_days * DAY_MS)
        with self.sessions() as session:
            metrics = session.execute(
                delete(db.PredictionMetric).where(db.PredictionMetric.end_ms < metrics_cut)
            ).rowcount
            samples = session.execute(
                delete(db.ReplicaSample).where(db.ReplicaSample.ts_ms < samples_cut)
            ).rowcount
            session.commit()
        return metrics, samples

    async def purge_forever(
        self, interval_s: float, *, metrics_days: float, samples_days: float
    ) -> None:
        while True:
            try:
                await asyncio.to_thread(
                    self.purge, metrics_days=metrics_days, samples_days=samples_days
                )
            except Exception:
                log.exception("deleting old metrics failed; will retry")
            await asyncio.sleep(interval_s)

    async def flush_forever(self, interval_s: float) -> None:
        while True:
            await asyncio.sleep(interval_s)
            self.pending_rows.set(len(self._rows))
            try:
                await asyncio.to_thread(self.flush)
            except Exception:
                log.exception("writing request metrics failed; will retry")

    def sample(self) -> None:
        """Store one CPU/memory sample per replica of every running deployment."""
        now = int(time.time() * 1000)
        rows = []
        for deployment_id in self.active_deployments():
            replicas = self.backend.metrics(deployment_id)
            ready = sum(r.state == ReplicaState.READY for r in replicas)
            self.replicas_ready.labels(deployment_id).set(ready)
            for r in replicas:
                labels = (deployment_id, r.replica_id)
                self.replica_memory.labels(*labels).set(r.memory_mb * 1024 * 1024)
                self.replica_memory_limit.labels(*labels).set(r.memory_limit_mb * 1024 * 1024)
                self.replica_cpu.labels(*labels).set(r.cpu_percent / 100)
                rows.append(
                    {
                        "deployment_id": deployment_id,
                        "replica_id": r.replica_id,
                        "ts_ms": now,
                        "state": str(r.state),
                        "restarts": r.restarts,
                        "cpu_percent": r.cpu_percent,
                        "cpu_limit": r.cpu_limit,
                        "memory_mb": r.memory_mb,
                        "memory_limit_mb": r.memory_limit_mb,
                    }
                )
        if rows:
            with self.sessions() as session:
                session.execute(insert(db.ReplicaSample), rows)
                session.commit()

    async def sample_forever(self, interval_s: float) -> None:
        while True:
            try:
                await asyncio.to_thread(self.sample)
            except Exception:
                log.exception("sampling replicas failed; will retry")
            await asyncio.sleep(interval_s)
