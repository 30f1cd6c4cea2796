"""Monitoring series of one model over a window, aggregated in SQL into at most ``BUCKETS`` points.

Why in SQL: a day of load is millions of request rows; the page needs sixty points. Requests per
second, errors per second and latency percentiles per bucket (``percent_rank`` over each bucket)
come from the request table; replica CPU and memory from the replica samples, per replica.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from workspace.server.storage import tables as db

BUCKETS = 60
WINDOWS_S = {"5m": 300, "15m": 900, "1h": 3600, "6h": 6 * 3600, "24h": 24 * 3600}
PERCENTILES = {"p50": 0.5, "p95": 0.95, "p99": 0.99}


def request_series(session: Session, model_crn: str, window_s: int) -> dict[str, Any]:
    """``{"t": [...s], "rps": [...], "errors": [...], "p50": [...], "p95", "p99"}`` (ms)."""
    end_ms = int(time.time() * 1000)
    start_ms, bucket_ms = end_ms - window_s * 1000, max(window_s * 1000 // BUCKETS, 1000)
    m = db.PredictionMetric
    bucket = ((m.start_ms - start_ms) // bucket_ms).label("bucket")
    in_window = [m.model_crn == model_crn, m.start_ms >= start_ms, m.prediction_uuid != ""]
    totals = session.execute(
        select(
            bucket,
            func.count(),
            func.sum(case((m.status_code >= 400, 1), else_=0)),
        )
        .where(*in_window)
        .group_by(bucket)
    ).all()
    rank = func.percent_rank().over(partition_by=bucket, order_by=m.latency_ms).label("rank")
    ranked = (
        select(bucket, m.latency_ms.label("latency"), rank)
        .where(*in_window, m.latency_ms.is_not(None))
        .subquery()
    )
    quantiles = session.execute(
        select(
            ranked.c.bucket,
            *(
                func.min(case((ranked.c.rank >= q, ranked.c.latency))).label(name)
                for name, q in PERCENTILES.items()
            ),
        ).group_by(ranked.c.bucket)
    ).all()
    n = -(-window_s * 1000 // bucket_ms)
    series: dict[str, list] = {
        "t": [(start_ms + i * bucket_ms) / 1000 for i in range(n)],
        "rps": [0.0] * n,
        "errors": [0.0] * n,
        **{name: [None] * n for name in PERCENTILES},
    }
    for b, count, errors in totals:
        if 0 <= int(b) < n:
            series["rps"][int(b)] = count / (bucket_ms / 1000)
            series["errors"][int(b)] = (errors or 0) / (bucket_ms / 1000)
    for b, *values in quantiles:
        if 0 <= int(b) < n:
            for name, value in zip(PERCENTILES, values, strict=True):
                series[name][int(b)] = value
    series["requests"] = sum(count for _, count, _ in totals)
    return series


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
