"""Monitoring reports for a model deployment: traffic, latency, errors, replicas, tracked metrics.

Why frames then pictures: the same tidy frames feed the PNG plots people look at and the capacity
verdict (``workspace.capacity``), so the verdict is computed from exactly what the plots show.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd


def requests_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per prediction from ``read_metrics`` rows, tracked values as ``metrics.*``."""
    per_request = [r for r in rows if r.get("predictionUuid")]
    if not per_request:
        return pd.DataFrame(columns=["start", "latency_ms", "status", "replica"])
    frame = pd.json_normalize(per_request)
    frame["start"] = pd.to_datetime(frame["startTimeStampMs"], unit="ms", utc=True)
    end = pd.to_datetime(frame["endTimeStampMs"], unit="ms", utc=True)
    measured = frame.get("latencyMs")
    frame["latency_ms"] = (
        measured.astype(float)
        if measured is not None
        else (end - frame["start"]).dt.total_seconds() * 1000
    )
    frame["status"] = (
        frame.get("statusCode", pd.Series(200, index=frame.index)).fillna(200).astype(int)
    )
    frame["replica"] = frame.get("replicaId", pd.Series("", index=frame.index)).fillna("")
    return frame.sort_values("start", kind="stable").reset_index(drop=True)


def aggregates_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The aggregate rows of ``read_metrics`` (no prediction uuid), values as ``metrics.*``.

    Why apart from ``requests_frame``: an aggregate covers a time range of many predictions
    (``track_aggregate_metrics``), so it is neither a request nor counted in the traffic.
    """
    aggregates = [r for r in rows if not r.get("predictionUuid")]
    if not aggregates:
        return pd.DataFrame(columns=["startTimeStampMs", "endTimeStampMs"])
    frame = pd.json_normalize(aggregates)
    return frame.sort_values("startTimeStampMs", kind="stable").reset_index(drop=True)


def replicas_frame(samples: list[dict[str, Any]]) -> pd.DataFrame:
    """CPU (in cores) and memory (MB) per replica over time, with their limits."""
    if not samples:
        return pd.DataFrame(columns=["time", "replica_id", "cpu_cores", "cpu_limit", "memory_mb"])
    frame = pd.DataFrame(samples)
    frame["time"] = pd.to_datetime(frame["timestamp_ms"], unit="ms", utc=True)
    frame["cpu_cores"] = frame["cpu_percent"] / 100.0
    return frame.sort_values("time").reset_index(drop=True)


def timeline(requests: pd.DataFrame, bucket: str = "5s") -> pd.DataFrame:
    """Requests/s, errors/s and latency percentiles per time bucket."""
    if requests.empty:
        return pd.DataFrame(columns=["rate", "errors", "p50_ms", "p95_ms", "p99_ms"])
    seconds = pd.Timedelta(bucket).total_seconds()
    grouped = requests.set_index("start").groupby(pd.Grouper(freq=bucket))
    ok = requests[requests.status == 200].set_index("start").groupby(pd.Grouper(freq=bucket))
    return pd.DataFrame(
        {
            "rate": grouped.size() / seconds,
            "errors": grouped["status"].apply(lambda s: int((s != 200).sum())) / seconds,
            "p50_ms": ok["latency_ms"].quantile(0.50),
            "p95_ms": ok["latency_ms"].quantile(0.95),
            "p99_ms": ok["latency_ms"].quantile(0.99),
        }
    ).fillna({"rate": 0.0, "errors": 0.0})


def replica_restarts(replicas: pd.DataFrame) -> int:
    """Restarts of all replicas in the window: each replica's highest restart count, summed."""
    if replicas.empty:
        return 0
    return int(replicas.groupby("replica_id").restarts.max().sum())


@dataclass(frozen=True)
class ObservedLoad:
    """What the capacity model needs, measured over the busiest stretch of traffic."""

    rate: float
    service_s: float
    p95_ms: float
    error_rate: float


def observed_load(requests: pd.DataFrame, replicas: pd.DataFrame) -> ObservedLoad:
    """Rate over the request window; service time from replica CPU if sampled, else p25 latency."""
    if requests.empty:
        raise ValueError("no requests recorded for this deployment: run the load simulation first")
    span = (requests.start.max() - requests.start.min()).total_seconds() or 1.0
    ok = requests[requests.status == 200]
    rate = len(requests) / span
    service = float(np.percentile(ok.latency_ms, 25)) / 1000 if len(ok) else float("nan")
    busy = replicas[
        (replicas.time >= requests.start.min()) & (replicas.time <= requests.start.max())
    ]
    if len(ok) and not busy.empty and busy.cpu_cores.sum() > 0:
        cpu_seconds = busy.groupby("replica_id").cpu_cores.mean().sum() * span
        service = (
            min(service, cpu_seconds / len(ok)) if service == service else cpu_seconds / len(ok)
        )
    return ObservedLoad(
        rate=rate,
        service_s=service,
        p95_ms=float(np.percentile(ok.latency_ms, 95)) if len(ok) else float("nan"),
        error_rate=1 - len(ok) / len(requests),
    )


def save_plots(
    requests: pd.DataFrame, replicas: pd.DataFrame, out_dir: Path, title: str
) -> list[Path]:
    """Write traffic, latency, replica and tracked-metric plots as PNGs; returns their paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out_dir.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    series = timeline(requests)

    def save(fig: Any, name: str) -> None:
        fig.suptitle(title)
        fig.tight_layout()
        path = out_dir / name
        fig.savefig(path, dpi=110)
        plt.close(fig)
        paths.append(path)

    fig, (traffic, latency) = plt.subplots(2, 1, figsize=(10, 6), sharex=True)
    traffic.plot(series.index, series.rate, label="requests/s")
    traffic.plot(series.index, series.errors, label="errors/s", color="tab:red")
    traffic.set_ylabel("per second")
    traffic.legend()
    for q in ("p50_ms", "p95_ms", "p99_ms"):
        latency.plot(series.index, series[q], label=q.replace("_ms", ""))
    latency.set_ylabel("latency (ms)")
    latency.legend()
    save(fig, "traffic_latency.png")

    if not replicas.empty:
        fig, (cpu, memory) = plt.subplots(2, 1, figsize=(10, 6), sharex=True)
        for replica_id, g in replicas.groupby("replica_id"):
            cpu.plot(g.time, g.cpu_cores, label=f"{replica_id} (restarts {int(g.restarts.max())})")
            memory.plot(g.time, g.memory_mb, label=replica_id)
        cpu.axhline(replicas.cpu_limit.max(), color="black", linestyle="--", label="limit")
        memory.axhline(replicas.memory_limit_mb.max(), color="black", linestyle="--", label="limit")
        cpu.set_ylabel("CPU (cores)")
        memory.set_ylabel("memory (MB)")
        cpu.legend(fontsize=7)
        memory.legend(fontsize=7)
        save(fig, "replicas.png")

    tracked = [
        c
        for c in requests.columns
        if c.startswith("metrics.") and pd.api.types.is_numeric_dtype(requests[c])
    ]
    if tracked:
        fig, axes = plt.subplots(len(tracked), 1, figsize=(10, 2.5 * len(tracked)), squeeze=False)
        for ax, column in zip(axes[:, 0], tracked, strict=True):
            ax.plot(requests.start, requests[column], ".", markersize=2)
            ax.set_ylabel(column.removeprefix("metrics."))
        save(fig, "tracked_metrics.png")
    return paths
