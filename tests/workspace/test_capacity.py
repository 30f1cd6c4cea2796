"""Capacity planning follows M/M/c queueing: known values, monotone, honest about saturation."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from workspace.capacity import assess, erlang_c, latency_quantile, save_verdict
from workspace.monitoring import ObservedLoad


def test_erlang_c_matches_textbook_values() -> None:
    assert erlang_c(1, 0.5) == pytest.approx(0.5)  # M/M/1: P(wait) = rho
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)
    assert erlang_c(2, 2.5) == 1.0


def test_mm1_p95_is_the_exponential_quantile_of_the_sojourn_time() -> None:
    rate, service = 40.0, 0.01  # M/M/1 sojourn ~ Exp(mu - lambda)
    assert latency_quantile(rate, service, 1) == pytest.approx(
        -math.log(0.05) / (100 - 40), rel=1e-6
    )


def test_p95_agrees_with_a_simulated_queue() -> None:
    rng = np.random.default_rng(0)
    rate, service, servers, n = 150.0, 0.01, 2, 200_000
    arrivals = np.cumsum(rng.exponential(1 / rate, n))
    free = np.zeros(servers)
    sojourn = np.empty(n)
    for i, (t, s) in enumerate(zip(arrivals, rng.exponential(service, n), strict=True)):
        k = int(np.argmin(free))
        start = max(t, free[k])
        free[k] = start + s
        sojourn[i] = free[k] - t
    assert latency_quantile(rate, service, servers) == pytest.approx(
        np.quantile(sojourn, 0.95), rel=0.05
    )


def test_more_replicas_never_hurt_and_saturation_is_infinite() -> None:
    p95 = [latency_quantile(80, 0.02, c) for c in (2, 3, 4)]
    assert p95 == sorted(p95, reverse=True)
    assert latency_quantile(100, 0.02, 1) == math.inf


def test_verdict_names_the_replicas_that_meet_the_target_within_the_machine() -> None:
    verdict = assess(90, 0.02, 2, target_p95_s=0.1, cores=2)
    assert verdict.saturated and verdict.replicas_for_target is None
    verdict = assess(60, 0.02, 1, target_p95_s=0.1, cores=4)
    assert verdict.saturated and verdict.replicas_for_target == 2
    assert "SATURATED" in verdict.format()
    calm = assess(5, 0.02, 1, target_p95_s=0.2, cores=2)
    assert not calm.saturated and calm.replicas_for_target == 1


def test_nonsense_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="service_s"):
        assess(1, 0, 1, target_p95_s=0.1, cores=2)


def test_the_saved_verdict_carries_what_users_observed_beside_the_prediction(
    tmp_path: Path,
) -> None:
    verdict = assess(20.0, 0.05, 1, target_p95_s=0.25, cores=4)
    load = ObservedLoad(rate=20.0, service_s=0.05, p95_ms=180.0, error_rate=0.01)
    path = save_verdict(verdict, load, tmp_path / "monitoring" / "capacity.json")
    saved = json.loads(path.read_text())
    assert saved["observed_p95_ms"] == 180.0 and saved["error_rate"] == 0.01
    assert saved["replicas_for_target"] == verdict.replicas_for_target
    assert saved["saturated"] is verdict.saturated
