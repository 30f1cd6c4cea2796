"""Monitoring series of one model over a window, aggregated in SQL into at most ``BUCKETS`` points.

Why in SQL: a day of load is millions of request rows; the page needs sixty points. Requests and
errors per second come from one grouped query; latency percentiles per bucket from the latencies
of its requests (an even sample of ``BUCKET_SAMPLE`` or more in a busy bucket), with numpy;
replica CPU and memory from the replica samples, per replica. Why fast on every refresh: the
buckets of requests are aligned to their width, and a bucket that can no longer change is kept
(``SettledBuckets``), so a refresh reads only the last minutes, from one covering index.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from workspace.server.storage import tables as db

BUCKETS = 60
WINDOWS_S = {"5m": 300, "15m": 900, "1h": 3600, "6h": 6 * 3600, "24h": 24 * 3600}
BUCKET_SAMPLE = 10_000 // BUCKETS
"""Latencies read per bucket at least (a chart's ten thousand in all): beyond it, an even sample
of the bucket's requests (every stride-th)."""
SETTLE_MS = 120_000
"""A bucket that ended this long ago is final: at least this, or longer than a model request
may take (the server's request timeout) where that is longer."""
PERCENTILES = {"p50": 0.5, "p95": 0.95, "p99": 0.99}


@dataclass(frozen=True)
class Bucket:
    """What one bucket of requests shows: how many, how many failed, and latency percentiles."""

    count: int
    errors: int
    quantiles: dict[str, float]


class SettledBuckets:
    """Buckets that can no longer change, kept per model and bucket width, so that a chart reads
    from the database only the buckets of the last ``SETTLE_MS`` (pre-bucketed aggregates).

    Why a bucket settles: a request's row is recorded when it ends and the page flushes the
    buffered rows before reading, so a bucket that ended ``SETTLE_MS`` ago (longer than a model
    request may take) has every row it will ever have.
    """

    def __init__(self, max_series: int = 2_000) -> None:
        self.max_series = max_series
        self._series: dict[tuple[str, int], dict[int, Bucket]] = {}
        self._lock = threading.Lock()

    def known(self, key: tuple[str, int], first: int) -> dict[int, Bucket]:
        """The settled buckets of ``key`` from index ``first`` on (older ones are dropped)."""
        with self._lock:
            found = self._series.get(key, {})
            kept = {i: b for i, b in found.items() if i >= first}
            if len(kept) != len(found):
                self._series[key] = kept
            return dict(kept)

    def keep(self, key: tuple[str, int], buckets: dict[int, Bucket]) -> None:
        with self._lock:
            series = self._series.pop(key, {})  # back in last: the order is of reads
            self._series[key] = series | buckets
            while len(self._series) > self.max_series:  # the series read longest ago goes
                self._series.pop(next(iter(self._series)))


settled = SettledBuckets()


def request_series(
    session: Session, model_crn: str, window_s: int, *, settle_ms: int = SETTLE_MS
) -> dict[str, Any]:
    """``{"t": [...s], "rps": [...], "errors": [...], "p50": [...], "p95", "p99"}`` (ms).

    Buckets are aligned to multiples of their width, so a bucket read once stays the same bucket
    on the next refresh; the newest one is still filling and its rate is over its elapsed part.
    """
    end_ms = int(time.time() * 1000)
    bucket_ms = max(window_s * 1000 // BUCKETS, 1000)
    n = -(-window_s * 1000 // bucket_ms)
    last = end_ms // bucket_ms
    first = last - n + 1
    key = (model_crn, bucket_ms)
    known = settled.known(key, first)
    read_from = max(first, max(known) + 1) if known else first
    fresh = _read_buckets(session, model_crn, bucket_ms, read_from)
    final = (end_ms - settle_ms) // bucket_ms  # buckets before this one are settled
    settled.keep(key, {i: fresh.get(i, EMPTY) for i in range(read_from, final)})
    buckets = known | fresh
    series: dict[str, Any] = {
        "t": [(first + i) * bucket_ms / 1000 for i in range(n)],
        "rps": [0.0] * n,
        "errors": [0.0] * n,
        **{name: [None] * n for name in PERCENTILES},
        "requests": sum(b.count for i, b in buckets.items() if i >= first),
    }
    for index, b in buckets.items():
        i = index - first
        if not 0 <= i < n or not b.count:
            continue
        seconds = (end_ms - index * bucket_ms if index == last else bucket_ms) / 1000
        series["rps"][i] = b.count / max(seconds, 1.0)
        series["errors"][i] = b.errors / max(seconds, 1.0)
        for name, value in b.quantiles.items():
            series[name][i] = value
    return series


EMPTY = Bucket(0, 0, {})


def _read_buckets(
    session: Session, model_crn: str, bucket_ms: int, first: int
) -> dict[int, Bucket]:
    """Buckets from index ``first`` on: counts in one grouped query, then the latencies of each
    bucket (every stride-th request beyond ``BUCKET_SAMPLE`` of them) for its percentiles."""
    m = db.PredictionMetric
    bucket = (m.start_ms // bucket_ms).label("bucket")
    # The terms of ix_metrics_requests' WHERE and columns: the queries read that index alone.
    mine = [m.model_crn == model_crn, m.start_ms >= first * bucket_ms, db.ONE_REQUEST]
    core = session.connection()  # Core rows: the ORM's row handling would double the time
    totals = core.execute(
        select(bucket, func.count(), func.sum(case((m.status_code >= 400, 1), else_=0)))
        .where(*mine)
        .group_by(bucket)
    ).all()
    by_stride: dict[int, list[int]] = {}
    for b, count, _ in totals:
        by_stride.setdefault(-(-count // BUCKET_SAMPLE), []).append(int(b))
    latencies = []
    for stride, indexes in by_stride.items():
        sampled = [m.id % stride == 0] if stride > 1 else []
        latencies += core.execute(
            select(bucket, m.latency_ms).where(
                *mine, *sampled, bucket.in_(indexes), m.latency_ms.is_not(None)
            )
        ).all()
    quantiles = _quantiles(latencies)
    return {
        int(b): Bucket(count, errors or 0, quantiles.get(int(b), {})) for b, count, errors in totals
    }


def _quantiles(rows: list) -> dict[int, dict[str, float]]:
    """``{bucket: {"p50": ms, ...}}`` of ``(bucket, latency)`` rows."""
    if not rows:
        return {}
    # From plain numbers: numpy reading SQLAlchemy rows as sequences is a hundred times slower.
    buckets = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
    latencies = np.fromiter((row[1] for row in rows), dtype=float, count=len(rows))
    order = np.argsort(buckets, kind="stable")
    buckets, latencies = buckets[order], latencies[order]
    starts = np.flatnonzero(np.r_[True, buckets[1:] != buckets[:-1]])
    found = {}
    for part, first in zip(np.split(latencies, starts[1:]), starts, strict=True):
        values = np.quantile(part, list(PERCENTILES.values()))
        found[int(buckets[first])] = dict(zip(PERCENTILES, map(float, values), strict=True))
    return found


def replica_series(
    session: Session, deployment_ids: Sequence[str], window_s: int
) -> dict[str, Any]:
    """Per replica: mean CPU % and peak memory MB per bucket, and the limits they run under."""
    end_ms = int(time.time() * 1000)
    start_ms, bucket_ms = end_ms - window_s * 1000, max(window_s * 1000 // BUCKETS, 1000)
    s = db.ReplicaSample
    bucket = ((s.ts_ms - start_ms) // bucket_ms).label("bucket")
    rows = (
        session.execute(
            select(
                s.replica_id,
                bucket,
                func.avg(s.cpu_percent),
                func.max(s.memory_mb),
                func.max(s.cpu_limit),
                func.max(s.memory_limit_mb),
            )
            .where(s.deployment_id.in_(deployment_ids), s.ts_ms >= start_ms)
            .group_by(s.replica_id, bucket)
        ).all()
        if deployment_ids
        else []
    )
    n = -(-window_s * 1000 // bucket_ms)
    replicas: dict[str, dict[str, Any]] = {}
    for replica_id, b, cpu, memory, cpu_limit, memory_limit in rows:
        r = replicas.setdefault(
            replica_id, {"cpu": [None] * n, "memory": [None] * n, "cpu_limit": 0, "memory_limit": 0}
        )
        if 0 <= int(b) < n:
            r["cpu"][int(b)], r["memory"][int(b)] = cpu, memory
        r["cpu_limit"] = max(r["cpu_limit"], cpu_limit or 0)
        r["memory_limit"] = max(r["memory_limit"], memory_limit or 0)
    return {"t": [(start_ms + i * bucket_ms) / 1000 for i in range(n)], "replicas": replicas}
