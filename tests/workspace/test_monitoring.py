"""Monitoring frames and plots from read_metrics rows and replica samples."""

from __future__ import annotations

from pathlib import Path

import pytest
from workspace.monitoring import (
    aggregates_frame,
    observed_load,
    replica_restarts,
    replicas_frame,
    requests_frame,
    save_plots,
    timeline,
)

T0 = 1_767_600_000_000


def metric_rows(n: int = 200, every_ms: int = 50, latency_ms: float = 20.0) -> list[dict]:
    rows = []
    for i in range(n):
        start = T0 + i * every_ms
        rows.append(
            {
                "modelCrn": "m",
                "modelBuildCrn": "b",
                "modelDeploymentCrn": "d",
                "startTimeStampMs": start,
                "endTimeStampMs": start + int(latency_ms),
                "predictionUuid": f"u{i}",
                "metrics": {"nearest_neighbor": i % 7, "note": "x"},
                "latencyMs": latency_ms + (i % 10),
                "replicaId": f"r{i % 2}",
                "statusCode": 500 if i % 50 == 0 else 200,
            }
        )
    rows.append({**rows[0], "predictionUuid": "", "metrics": {"accuracy": 0.9}})  # aggregate row
    return rows


def samples() -> list[dict]:
    return [
        {
            "replica_id": f"r{k}",
            "timestamp_ms": T0 + s * 1000,
            "state": "ready",
            "restarts": 0,
            "cpu_percent": 20.0,
            "cpu_limit": 1.0,
            "memory_mb": 150.0,
            "memory_limit_mb": 2048.0,
        }
        for k in range(2)
        for s in range(11)
    ]


def test_requests_frame_keeps_predictions_and_flattens_tracked_metrics() -> None:
    frame = requests_frame(metric_rows())
    assert len(frame) == 200  # the aggregate row is not a request
    assert "metrics.nearest_neighbor" in frame.columns
    assert (frame.status == 500).sum() == 4


def test_timeline_reports_rate_errors_and_percentiles_per_bucket() -> None:
    series = timeline(requests_frame(metric_rows()), bucket="5s")
    assert series.rate.iloc[0] == pytest.approx(20.0)  # one request every 50 ms
    assert series.errors.sum() > 0
    assert (series.p50_ms <= series.p95_ms).all() and (series.p95_ms <= series.p99_ms).all()


def test_observed_load_prefers_cpu_time_for_the_service_time() -> None:
    load = observed_load(requests_frame(metric_rows()), replicas_frame(samples()))
    assert load.rate == pytest.approx(200 / 9.95, rel=0.01)
    # 2 replicas x 0.2 cores x 9.95 s / 196 successful requests ~ 20 ms
    assert load.service_s == pytest.approx(0.0203, rel=0.05)
    assert load.error_rate == pytest.approx(0.02)


def test_no_requests_means_run_the_simulation_first() -> None:
    with pytest.raises(ValueError, match="load simulation"):
        observed_load(requests_frame([]), replicas_frame([]))


def test_plots_are_written_as_png(tmp_path: Path) -> None:
    paths = save_plots(requests_frame(metric_rows()), replicas_frame(samples()), tmp_path, "demo")
    assert {p.name for p in paths} == {"traffic_latency.png", "replicas.png", "tracked_metrics.png"}
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in paths)


def test_aggregate_rows_are_kept_apart_from_requests() -> None:
    aggregates = aggregates_frame(metric_rows())
    assert len(aggregates) == 1 and aggregates["metrics.accuracy"].tolist() == [0.9]
    assert aggregates_frame(metric_rows()[:5]).empty


def test_restarts_count_each_replica_s_highest_restart_count_once() -> None:
    sampled = samples()
    for sample in sampled:
        if sample["replica_id"] == "r1":
            sample["restarts"] = 1 if sample["timestamp_ms"] < T0 + 5000 else 2
    assert replica_restarts(replicas_frame(sampled)) == 2
    assert replica_restarts(replicas_frame([])) == 0
