"""Monitoring series of one model over a window, aggregated in SQL into at most ``BUCKETS`` points.

Why in SQL: a day of load is millions of request rows; the page needs sixty points. Requests and
errors per second come from one grouped query; latency percentiles per bucket from the bucket
and latency of at most ``QUANTILE_ROWS`` requests (an even sample beyond that), with numpy;
replica CPU and memory from the replica samples, per replica.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from workspace.server.storage import tables as db

BUCKETS = 60
WINDOWS_S = {"5m": 300, "15m": 900, "1h": 3600, "6h": 6 * 3600, "24h": 24 * 3600}
QUANTILE_ROWS = 10_000
"""Latencies read per chart at most: beyond it, an even sample of the window's requests."""
PERCENTILES = {"p50": 0.5, "p95": 0.95, "p99": 0.99}


def request_series(session: Session, model_crn: str, window_s: int) -> dict[str, Any]:
    """``{"t": [...s], "rps": [...], "errors": [...], "p50": [...], "p95", "p99"}`` (ms)."""
    end_ms = int(time.time() * 1000)
    start_ms, bucket_ms = end_ms - window_s * 1000, max(window_s * 1000 // BUCKETS, 1000)
    m = db.PredictionMetric
    bucket = ((m.start_ms - start_ms) // bucket_ms).label("bucket")
    in_window = [m.model_crn == model_crn, m.start_ms >= start_ms, m.prediction_uuid != ""]
    core = session.connection()  # Core rows: the ORM's row handling would double the time
    totals = core.execute(
        select(bucket, func.count(), func.sum(case((m.status_code >= 400, 1), else_=0)))
        .where(*in_window)
        .group_by(bucket)
    ).all()
    total = sum(count for _, count, _ in totals)
    stride = -(-total // QUANTILE_ROWS) if total else 1  # every stride-th row: a bounded sample
    sampled = [m.id % stride == 0] if stride > 1 else []
    latencies = core.execute(
        select(bucket, m.latency_ms).where(*in_window, *sampled, m.latency_ms.is_not(None))
    ).all()
    n = -(-window_s * 1000 // bucket_ms)
    series: dict[str, Any] = {
        "t": [(start_ms + i * bucket_ms) / 1000 for i in range(n)],
        "rps": [0.0] * n,
        "errors": [0.0] * n,
        **{name: [None] * n for name in PERCENTILES},
        "requests": total,
    }
    for b, count, errors in totals:
        if 0 <= int(b) < n:
            series["rps"][int(b)] = count / (bucket_ms / 1000)
            series["errors"][int(b)] = (errors or 0) / (bucket_ms / 1000)
    for b, values in _quantiles(latencies).items():
        if 0 <= b < n:
            for name, value in values.items():
                series[name][b] = value
    return series


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
