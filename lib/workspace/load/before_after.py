"""What a redeployment gained: the same load measured before and after, and the cutover between.

Why the same load twice: only one plan (payloads, concurrency, duration) run against the old and
then the new deployment makes the ratio of requests/s and p95 a fair measure of what the added
resources bought; the load that ran through the cutover says whether any request was lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workspace.load.summary import LoadSummary


def _resources(deployment: Any) -> str:
    return f"{deployment.cpu:g}/{deployment.memory:g}/{deployment.replicas}"


def _ratio(after: float, before: float) -> float:
    return after / max(before, 1e-9)


@dataclass(frozen=True)
class CapacityGain:
    """Deployments (``cpu``, ``memory``, ``replicas``, ``id``) and their load summaries."""

    before: Any
    after: Any
    baseline: LoadSummary
    improved: LoadSummary

    @property
    def throughput_ratio(self) -> float:
        return _ratio(self.improved.requests_per_s, self.baseline.requests_per_s)

    @property
    def p95_ratio(self) -> float:
        return _ratio(self.improved.p95_ms, self.baseline.p95_ms)

    def format(self) -> str:
        """The before/after table: deployment, resources (cpu/memory/replicas), requests/s, p95."""
        b, a = self.baseline, self.improved
        return "\n".join(
            [
                f"{'':14}{'before':>12}{'after':>12}{'ratio':>8}",
                f"{'deployment':14}{self.before.id[:10]:>12}{self.after.id[:10]:>12}",
                f"{'resources':14}{_resources(self.before):>12}{_resources(self.after):>12}",
                f"{'requests/s':14}{b.requests_per_s:12.1f}{a.requests_per_s:12.1f}"
                f"{self.throughput_ratio:8.2f}",
                f"{'p95 (ms)':14}{b.p95_ms:12.1f}{a.p95_ms:12.1f}{self.p95_ratio:8.2f}",
            ]
        )


def format_cutover(summary: LoadSummary) -> str:
    """One line on the load that ran through a redeploy: how many requests, how many failed."""
    errors = f" ({summary.errors_by_type})" if summary.failed else ""
    return f"cutover: {summary.count} requests during the redeploy, {summary.failed} failed{errors}"
