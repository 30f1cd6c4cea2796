"""Autoscaling decisions on known sequences: up at once, down only after the cool-down, never
outside the policy's bounds; and the policy's own validation, which names the field."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from workspace.autoscaling import Observation, ScalingState, decide, recommend
from workspace.schemas import DeploymentUpdate, ModelCreate, ReplicationPolicy

BY_INFLIGHT = ReplicationPolicy(
    type="autoscaling", min_replicas=1, max_replicas=4, target_inflight=2
)
BY_P95 = ReplicationPolicy(type="autoscaling", min_replicas=1, max_replicas=5, target_p95_ms=200)


def load(in_flight: float = 0.0, rate: float = 0.0, p95_ms: float | None = None) -> Observation:
    return Observation(
        rate=rate,
        in_flight=in_flight,
        p95_ms=p95_ms,
        service_s=0.05 if rate else None,
        answered=int(rate * 10),
    )


def run(policy: ReplicationPolicy, seen: list[Observation], *, every_s=1.0, cooldown_s=5.0):
    """The counts a deployment starting at min_replicas runs after each evaluation."""
    state, replicas, counts = ScalingState(), int(policy.min_replicas or 1), []
    for step, observation in enumerate(seen):
        decision, state = decide(
            policy, replicas, observation, state, now=step * every_s, cooldown_s=cooldown_s
        )
        replicas = decision.desired
        counts.append(replicas)
    return counts


def test_scales_up_at_once_to_what_the_in_flight_target_needs():
    assert run(BY_INFLIGHT, [load(1), load(7), load(7)]) == [1, 4, 4]


def test_scales_down_only_after_the_cool_down_and_never_below_min():
    quiet = [load(0)] * 8
    counts = run(BY_INFLIGHT, [load(8), *quiet], cooldown_s=5.0)
    assert counts == [4, 4, 4, 4, 4, 4, 1, 1, 1]


def test_a_burst_inside_the_cool_down_keeps_the_replicas_it_needed():
    seen = [load(8), load(0), load(0), load(8), load(0), load(0), load(0), load(0), load(0)]
    counts = run(BY_INFLIGHT, [*seen, *[load(0)] * 3], cooldown_s=4.0)
    assert counts[:8] == [4] * 8, "the second burst restarted the cool-down"
    assert counts[-1] == 1


def test_the_count_never_exceeds_max_whatever_the_load():
    assert max(run(BY_INFLIGHT, [load(1000)] * 3)) == 4
    assert max(run(BY_P95, [load(50, rate=500, p95_ms=5000)] * 3)) == 5


def test_a_slow_p95_adds_a_replica_even_where_the_model_says_enough():
    policy, seen = BY_P95, load(rate=2, p95_ms=900)
    modelled, _ = recommend(policy, 3, load(rate=2, p95_ms=None))
    assert modelled == 1, "2 requests/s of 50 ms need one replica by the M/M/c model"
    assert recommend(policy, 3, seen)[0] == 4


def test_the_p95_target_follows_the_queueing_model_at_the_observed_rate():
    assert recommend(BY_P95, 1, load(rate=60, p95_ms=150))[0] == 5
    assert recommend(BY_P95, 1, load(rate=4, p95_ms=80))[0] == 1
    assert recommend(BY_P95, 2, load(rate=0))[0] == 1


def test_a_count_outside_switched_bounds_is_brought_inside_at_once():
    policy = ReplicationPolicy(
        type="autoscaling", min_replicas=2, max_replicas=3, target_inflight=1
    )
    decision, _ = decide(policy, 6, load(0), ScalingState(), now=0.0, cooldown_s=60)
    assert (decision.desired, decision.action) == (3, "down")
    decision, _ = decide(policy, 1, load(0), ScalingState(), now=0.0, cooldown_s=60)
    assert (decision.desired, decision.action) == (2, "up")


def test_a_decision_explains_itself_with_its_figures():
    decision, _ = decide(BY_P95, 1, load(rate=60, p95_ms=450), ScalingState(), now=0, cooldown_s=1)
    details = decision.details()
    assert details["current"] == 1 and details["desired"] == 5 and details["p95_ms"] == 450
    assert "M/M/c" in decision.reason


@pytest.mark.parametrize(
    ("policy", "named"),
    [
        (
            {"type": "autoscaling", "min_replicas": 3, "max_replicas": 2, "target_inflight": 1},
            "min",
        ),
        (
            {"type": "autoscaling", "min_replicas": 0, "max_replicas": 2, "target_inflight": 1},
            "min",
        ),
        ({"type": "autoscaling", "max_replicas": -1, "target_inflight": 1}, "max_replicas"),
        ({"type": "autoscaling", "max_replicas": 2, "target_p95_ms": 0}, "target_p95_ms"),
        ({"type": "autoscaling", "max_replicas": 2, "target_inflight": -2}, "target_inflight"),
        ({"type": "autoscaling", "max_replicas": 2}, "target_p95_ms or target_inflight"),
        (
            {"type": "autoscaling", "max_replicas": 2, "target_p95_ms": 1, "target_inflight": 1},
            "both",
        ),
        ({"type": "elastic", "num_replicas": 2}, "type"),
        ({"type": "fixed", "num_replicas": 2, "max_replicas": 4}, "max_replicas"),
    ],
)
def test_a_bad_policy_is_refused_naming_the_field(policy, named):
    with pytest.raises(ValidationError, match=named):
        ModelCreate(name="m", default_replication_policy=policy)


def test_a_fixed_policy_reads_exactly_as_cml_writes_it():
    policy = ModelCreate(name="m", default_replication_policy={"num_replicas": 2})
    assert policy.default_replication_policy.model_dump(mode="json") == {
        "type": "fixed",
        "num_replicas": "2",
    }


def test_an_update_changes_either_the_count_or_the_policy():
    assert DeploymentUpdate(replicas=3).policy == ReplicationPolicy(num_replicas=3)
    with pytest.raises(ValidationError, match="exactly one"):
        DeploymentUpdate(replicas=2, replication_policy=BY_P95)
