"""The before/after table of a redeployment and the line on its cutover."""

from __future__ import annotations

from types import SimpleNamespace

from workspace.load import CapacityGain, LoadSummary, format_cutover


def summary(requests_per_s: float, p95_ms: float, failed: int = 0, **errors: int) -> LoadSummary:
    return LoadSummary(
        count=100,
        succeeded=100 - failed,
        failed=failed,
        duration_s=10.0,
        requests_per_s=requests_per_s,
        error_rate=failed / 100,
        p50_ms=p95_ms / 2,
        p95_ms=p95_ms,
        p99_ms=p95_ms * 1.2,
        max_ms=p95_ms * 2,
        errors_by_type=errors,
    )


def deployment(id_: str, cpu: float, memory: float, replicas: int) -> SimpleNamespace:
    return SimpleNamespace(id=id_, cpu=cpu, memory=memory, replicas=replicas)


def test_the_table_sets_the_same_load_against_both_deployments() -> None:
    gain = CapacityGain(
        deployment("0123456789abcdef", 1, 2, 1),
        deployment("fedcba9876543210", 1.5, 4, 2),
        summary(40.0, 200.0),
        summary(80.0, 50.0),
    )
    assert (gain.throughput_ratio, gain.p95_ratio) == (2.0, 0.25)
    assert gain.format().splitlines() == [
        "                    before       after   ratio",
        "deployment      0123456789  fedcba9876",
        "resources            1/2/1     1.5/4/2",
        "requests/s            40.0        80.0    2.00",
        "p95 (ms)             200.0        50.0    0.25",
    ]


def test_a_baseline_without_traffic_gives_a_large_ratio_not_a_division_error() -> None:
    gain = CapacityGain(
        deployment("a", 1, 1, 1), deployment("b", 1, 1, 2), summary(0.0, 0.0), summary(5.0, 1.0)
    )
    assert gain.throughput_ratio > 1e9


def test_the_cutover_line_names_the_failures_by_type() -> None:
    assert format_cutover(summary(9, 9)) == "cutover: 100 requests during the redeploy, 0 failed"
    assert format_cutover(summary(9, 9, 2, http_502=2)) == (
        "cutover: 100 requests during the redeploy, 2 failed ({'http_502': 2})"
    )
