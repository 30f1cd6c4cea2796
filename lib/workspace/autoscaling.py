"""Autoscaling decisions for a deployment with an autoscaling replication policy, as pure functions.

Why pure: the evaluator in the workspace (``workspace.server.services.autoscaler``) only observes
and acts; what count a deployment should run follows from the policy, the replicas it runs and
what was observed, so it is specified here on known sequences, without a server.

The rules:

- the recommendation: for ``target_inflight``, enough replicas that each holds at most the target
  of requests in flight (``ceil(in_flight / target)``, as Kubernetes' HPA and Ray Serve count);
  for ``target_p95_ms``, the fewest replicas the M/M/c model (``workspace.capacity``) predicts meet
  the target at the observed rate and service time, and one more than now while the observed p95
  is above the target (the model may be optimistic: the observation wins);
- up fast: a recommendation above the current count is applied at once;
- down after a cool-down: the count falls only to the highest recommendation of the last
  ``cooldown_s`` seconds, once recommendations cover that long (so one quiet moment or a fresh
  evaluator never removes replicas a burst needs);
- always within ``[min_replicas, max_replicas]`` (a count outside, after a policy switch, is
  brought inside at once).

Example::

    state = ScalingState()
    decision, state = decide(policy, 1, Observation(rate=40, in_flight=6, p95_ms=420,
                             service_s=0.05, answered=200), state, now=12.0, cooldown_s=30)
    decision.desired, decision.action     # (3, "up")
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from workspace.capacity import assess
from workspace.schemas.models import ReplicationPolicy

MIN_ANSWERS_FOR_P95 = 5
"""Fewer answers in a window say nothing about its p95; the model alone decides then."""

Action = Literal["up", "down", "hold"]


@dataclass(frozen=True)
class Observation:
    """What the deployment served over the evaluator's window."""

    rate: float
    """Requests per second answered."""
    in_flight: float
    """Requests inside the router (queued or at a replica)."""
    p95_ms: float | None
    """p95 latency of successful answers; None when there were too few."""
    service_s: float | None
    """Time a replica spends on one request (None: no answer to tell it from)."""
    answered: int


@dataclass(frozen=True)
class ScalingState:
    """What the evaluator remembers between evaluations: recent recommendations and since when
    it has been recommending (both only through ``decide``)."""

    recommendations: tuple[tuple[float, int], ...] = ()
    since: float | None = None


@dataclass(frozen=True)
class ScalingDecision:
    """One evaluation: the count it found, the one it wants, the one it sets, and why."""

    at: float
    current: int
    recommended: int
    desired: int
    action: Action
    reason: str
    observation: Observation
    extra: dict[str, Any] = field(default_factory=dict)

    def details(self) -> dict[str, Any]:
        """The decision as JSON-ready figures (a history event's details)."""
        return {
            "current": self.current,
            "recommended": self.recommended,
            "desired": self.desired,
            "action": self.action,
            **{k: _rounded(v) for k, v in asdict(self.observation).items()},
            **self.extra,
        }


def _rounded(value: Any) -> Any:
    return round(value, 3) if isinstance(value, float) and math.isfinite(value) else value


def recommend(policy: ReplicationPolicy, current: int, seen: Observation) -> tuple[int, str]:
    """The count the observation calls for, within the policy's bounds, and why in words."""
    lowest, highest = int(policy.min_replicas or 1), int(policy.max_replicas or 1)
    if policy.target_inflight is not None:
        raw = math.ceil(seen.in_flight / policy.target_inflight - 1e-9)
        why = f"{seen.in_flight:.1f} in flight for a target of {policy.target_inflight:g}/replica"
    else:
        raw, why = _for_latency(policy, current, seen, highest)
    return max(lowest, min(highest, raw)), why


def _for_latency(
    policy: ReplicationPolicy, current: int, seen: Observation, highest: int
) -> tuple[int, str]:
    target_ms = float(policy.target_p95_ms or 0)
    if seen.rate <= 0 or not seen.service_s:
        return 0, "no traffic"
    verdict = assess(
        seen.rate,
        seen.service_s,
        max(current, 1),
        target_p95_s=target_ms / 1000,
        cores=highest,  # each replica its own service capacity: the observed p95 checks it
        max_replicas=highest,
    )
    modelled = verdict.replicas_for_target or highest
    why = (
        f"{seen.rate:.1f} requests/s at {seen.service_s * 1000:.0f} ms each: the M/M/c model "
        f"needs {modelled} for p95 <= {target_ms:g} ms"
    )
    slow = (
        seen.p95_ms is not None and seen.answered >= MIN_ANSWERS_FOR_P95 and seen.p95_ms > target_ms
    )
    if slow and modelled <= current:
        return current + 1, f"observed p95 {seen.p95_ms:.0f} ms > target {target_ms:g} ms; {why}"
    return modelled, why


def decide(
    policy: ReplicationPolicy,
    current: int,
    seen: Observation,
    state: ScalingState,
    *,
    now: float,
    cooldown_s: float,
) -> tuple[ScalingDecision, ScalingState]:
    """The count to run now, and the state to pass to the next evaluation."""
    recommended, why = recommend(policy, current, seen)
    kept = tuple((t, n) for t, n in state.recommendations if t >= now - cooldown_s)
    since = now if state.since is None else state.since
    state = ScalingState((*kept, (now, recommended)), since)
    bounded = policy.bounded(current)
    if bounded != current:
        desired, reason = bounded, f"{current} is outside the policy's bounds"
    elif recommended > current:
        desired, reason = recommended, why
    elif recommended < current:
        held = max(n for _, n in state.recommendations)
        covered = now - state.since >= cooldown_s
        desired = held if covered else current
        if desired < current:
            reason = f"{why}; below {current} for the {cooldown_s:g} s cool-down"
        else:
            desired = current
            reason = f"{why}; cooling down ({cooldown_s:g} s) before going below {current}"
    else:
        desired, reason = current, why
    action: Action = "up" if desired > current else "down" if desired < current else "hold"
    decision = ScalingDecision(now, current, recommended, desired, action, reason, seen)
    return decision, state
