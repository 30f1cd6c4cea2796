"""A fixed-rate soak: the same load for minutes, the server's memory sampled as it goes.

Why fixed rate: at a steady offered load a leak shows as memory that keeps climbing, and errors
as a rate above zero; a closed loop would slow down instead and hide both.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from workspace.load.background import BackgroundLoad
from workspace.load.generator import LoadPlan

from reliability.lab import Lab


@dataclass
class SoakReport:
    duration_s: float
    requests: int
    errors: int
    rss_mb: list[float] = field(default_factory=list)
    """Server memory every ``sample_s`` seconds, first sample before the load."""
    errors_by_type: dict[str, int] = field(default_factory=dict)
    """What the failed requests got (a status such as ``429``, or ``timeout``)."""
    p99_ms: float = 0.0


def soak(lab: Lab, duration_s: float, *, rate: float = 50, sample_s: float = 10) -> SoakReport:
    plan = LoadPlan(
        url=lab.model_url, payloads=lambda i: {"n": i}, access_key=lab.access_key,
        rate=rate, duration_s=duration_s, timeout_s=10,
    )  # fmt: skip
    samples = [lab.server.rss_mb()]
    with BackgroundLoad(plan) as load:
        end = time.monotonic() + duration_s
        while (left := end - time.monotonic()) > 0:
            time.sleep(min(sample_s, left))
            samples.append(lab.server.rss_mb())
    summary = load.summary
    return SoakReport(
        duration_s, summary.count, summary.failed, samples, summary.errors_by_type, summary.p99_ms
    )
