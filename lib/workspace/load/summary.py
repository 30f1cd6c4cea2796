"""The summary load-testing users expect: count, requests/s, error rate, latency percentiles."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np


@dataclass
class RequestRecord:
    """One request as sent and answered; ``error`` is None for a success."""

    index: int
    start_ms: float
    latency_ms: float
    status: int
    error: str | None
    replica: str | None
    uuid: str | None
    response: Any = None


@dataclass(frozen=True)
class LoadSummary:
    count: int
    succeeded: int
    failed: int
    duration_s: float
    requests_per_s: float
    error_rate: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    errors_by_type: dict[str, int] = field(default_factory=dict)
    replicas: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)

    def format(self) -> str:
        lines = [
            f"requests  {self.count} ({self.succeeded} ok, {self.failed} failed, "
            f"error rate {self.error_rate:.1%}) in {self.duration_s:.1f} s",
            f"rate      {self.requests_per_s:.1f} requests/s",
            f"latency   p50 {self.p50_ms:.1f} ms  p95 {self.p95_ms:.1f} ms  "
            f"p99 {self.p99_ms:.1f} ms  max {self.max_ms:.1f} ms",
        ]
        if self.errors_by_type:
            lines.append(
                "errors    " + ", ".join(f"{k}: {v}" for k, v in self.errors_by_type.items())
            )
        if self.replicas:
            lines.append("replicas  " + ", ".join(f"{k}: {v}" for k, v in self.replicas.items()))
        return "\n".join(lines)


def summarize(records: list[RequestRecord], duration_s: float) -> LoadSummary:
    """Percentiles over successful requests; every failure counted by its type."""
    ok = [r for r in records if r.error is None]
    latencies = np.array([r.latency_ms for r in ok]) if ok else np.zeros(1)
    p50, p95, p99 = (float(np.percentile(latencies, q)) for q in (50, 95, 99))
    errors = Counter(r.error for r in records if r.error is not None)
    replicas = Counter(r.replica for r in ok if r.replica)
    count = len(records)
    return LoadSummary(
        count=count,
        succeeded=len(ok),
        failed=count - len(ok),
        duration_s=duration_s,
        requests_per_s=len(ok) / duration_s if duration_s > 0 else 0.0,
        error_rate=(count - len(ok)) / count if count else 0.0,
        p50_ms=p50,
        p95_ms=p95,
        p99_ms=p99,
        max_ms=float(latencies.max()),
        errors_by_type=dict(errors.most_common()),
        replicas=dict(sorted(replicas.items())),
    )
