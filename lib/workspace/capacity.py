"""Capacity planning for a model deployment: will its replicas meet a latency target?

Why a queueing model: a replica runs one request at a time, so a deployment is an M/M/c queue
(Poisson arrivals at the observed rate, c replicas, service time measured from the replicas). The
Erlang C formula gives the chance a request waits, and the sojourn-time tail gives p95 latency, so
the verdict ("saturated", "replicas needed for p95 ≤ target") follows from measured figures rather
than rules of thumb. On one machine, replicas beyond its cores add no service capacity.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from scipy.optimize import brentq

if TYPE_CHECKING:
    from workspace.monitoring import ObservedLoad


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability that an arriving request waits (all ``servers`` busy); 1.0 when saturated."""
    if offered_load >= servers:
        return 1.0
    term, total = 1.0, 1.0
    for k in range(1, servers):
        term *= offered_load / k
        total += term
    last = term * offered_load / servers / (1 - offered_load / servers)
    return last / (total + last)


def latency_quantile(rate: float, service_s: float, servers: int, q: float = 0.95) -> float:
    """The q-quantile of time in system (wait + service) for M/M/c; inf when saturated."""
    mu = 1.0 / service_s
    if rate >= servers * mu:
        return math.inf
    wait = erlang_c(servers, rate / mu)
    theta = servers * mu - rate

    def tail(t: float) -> float:
        served = math.exp(-mu * t)
        if abs(theta - mu) < 1e-12:
            queued = (1 + mu * t) * math.exp(-mu * t)
        else:
            queued = (mu * math.exp(-theta * t) - theta * math.exp(-mu * t)) / (mu - theta)
        return (1 - wait) * served + wait * queued - (1 - q)

    upper = service_s
    while tail(upper) > 0:
        upper *= 2
    return brentq(tail, 0.0, upper)


@dataclass(frozen=True)
class CapacityVerdict:
    rate: float
    service_s: float
    replicas: int
    utilisation: float
    predicted_p95_s: float
    saturated: bool
    replicas_for_target: int | None
    target_p95_s: float

    def format(self) -> str:
        state = "SATURATED" if self.saturated else "not saturated"
        need = (
            f"{self.replicas_for_target} replica(s) of >= 1 vCPU meet p95 <= "
            f"{self.target_p95_s * 1000:.0f} ms"
            if self.replicas_for_target
            else "no replica count on this machine meets the target: add cores or nodes"
        )
        return (
            f"{state}: {self.rate:.1f} requests/s on {self.replicas} replica(s), service "
            f"{self.service_s * 1000:.1f} ms, utilisation {self.utilisation:.0%}, predicted p95 "
            f"{self.predicted_p95_s * 1000:.1f} ms; {need}"
        )


def assess(
    rate: float,
    service_s: float,
    replicas: int,
    *,
    target_p95_s: float,
    cores: int,
    max_replicas: int = 16,
    saturation: float = 0.85,
) -> CapacityVerdict:
    """Verdict for the observed ``rate`` and ``service_s`` on ``replicas`` limited to ``cores``."""
    if rate < 0 or service_s <= 0 or replicas <= 0 or cores <= 0:
        raise ValueError("rate must be >= 0 and service_s, replicas, cores > 0")
    effective = min(replicas, cores)
    utilisation = rate * service_s / effective
    needed = next(
        (
            c
            for c in range(1, max_replicas + 1)
            if latency_quantile(rate, service_s, min(c, cores)) <= target_p95_s
        ),
        None,
    )
    return CapacityVerdict(
        rate=float(rate),
        service_s=float(service_s),
        replicas=int(replicas),
        utilisation=float(utilisation),
        predicted_p95_s=float(latency_quantile(rate, service_s, effective)),
        saturated=bool(utilisation >= saturation),
        replicas_for_target=needed,
        target_p95_s=float(target_p95_s),
    )


def save_verdict(verdict: CapacityVerdict, load: ObservedLoad, path: Path) -> Path:
    """The verdict with the observed p95 and error rate beside it, as JSON at ``path``.

    Why both: the verdict predicts, the observed figures say what users got; a reader of the file
    needs both to trust the prediction.
    """
    record = {**asdict(verdict), "observed_p95_ms": load.p95_ms, "error_rate": load.error_rate}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=2))
    return path
