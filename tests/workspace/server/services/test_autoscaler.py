"""A deployment with an autoscaling policy, on a real server evaluating it every 0.25 s with a
2 s cool-down: it scales up under load, back down once the load is gone and the cool-down has
passed, never past its bounds, records each decision, and switches to and from a fixed count;
bad policies are refused with a 400 naming the field."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import requests
from lab_server import PRD_FILES, RunningServer, deploy, free_port, server_env
from workspace.client import BadRequest, WorkspaceClient

POLICY = {"type": "autoscaling", "min_replicas": 1, "max_replicas": 3, "target_inflight": 2}
FAST = {
    "LAB_AUTOSCALE_INTERVAL_S": "0.25",
    "LAB_AUTOSCALE_WINDOW_S": "1.0",
    "LAB_AUTOSCALE_COOLDOWN_S": "2.0",
}


@pytest.fixture(scope="module")
def fast_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    home = tmp_path_factory.mktemp("autoscaling")
    port = free_port()
    running = RunningServer(home, port, {**server_env(home, port), **FAST}).start(timeout=180)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def client(fast_server: RunningServer) -> WorkspaceClient:
    return fast_server.client()


@pytest.fixture(scope="module")
def project(client: WorkspaceClient):
    return client.create_project(name="PRD", template="local", local_path=str(PRD_FILES))


def _ready(client: WorkspaceClient, ids: dict) -> int:
    return sum(r.state == "ready" for r in client.list_model_replicas(**ids).replicas)


def _wait(condition, timeout_s: float, what: str) -> float:
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < timeout_s, f"{what} not within {timeout_s} s"
        time.sleep(0.1)
    return time.monotonic() - started


def test_a_policy_scales_up_under_load_and_down_after_the_cool_down(
    fast_server: RunningServer, client: WorkspaceClient, project
) -> None:
    model = {"default_replication_policy": POLICY}
    served = deploy(
        client, project.id, "elastic", model=model, file_path="models.py", function_name="slow_echo"
    )
    ids = {
        "project_id": project.id,
        "model_id": served.model.id,
        "build_id": served.build.id,
        "deployment_id": served.deployment.id,
    }
    assert served.deployment.replication_policy.type == "autoscaling"
    assert served.deployment.replicas == 1, "an autoscaling deployment starts at min_replicas"
    body = {"accessKey": served.model.access_key, "request": {"sleep": 0.1}}
    codes: list[int] = []
    done = threading.Event()
    counts: list[int] = []

    def send() -> None:
        with requests.Session() as http:
            while not done.is_set():
                codes.append(
                    http.post(f"{fast_server.url}/model", json=body, timeout=30).status_code
                )

    senders = [threading.Thread(target=send) for _ in range(8)]
    for thread in senders:
        thread.start()
    try:
        _wait(lambda: counts.append(_ready(client, ids)) or counts[-1] == 3, 30, "3 ready")
        time.sleep(1.0)  # the load holds: the count stays at max_replicas
        counts.append(client.get_model_deployment(**ids).replicas)
    finally:
        done.set()
        for thread in senders:
            thread.join(timeout=30)
    quiet_since = time.monotonic()
    _wait(lambda: client.get_model_deployment(**ids).replicas == 1, 30, "back to 1")
    assert time.monotonic() - quiet_since >= 2.0, "replicas fell before the cool-down"
    assert max(counts) == 3 and counts[-1] == 3, "never above max_replicas"
    assert codes and set(codes) == {200}, "scaling failed no request"
    events = client.list_deployment_events(**ids, kind="autoscaling").events
    moves = [e.details["action"] for e in events]
    assert moves[0] == "up" and moves[-1] == "down" and "hold" not in moves
    assert all(1 <= e.details["desired"] <= 3 for e in events)
    scraped = requests.get(
        f"{fast_server.url}/metrics",
        headers={"authorization": f"Bearer {fast_server.admin_key}"},
        timeout=10,
    ).text
    dep = served.deployment.id
    assert f'lab_replicas_desired{{deployment="{dep}"}} 1.0' in scraped
    assert f'lab_replicas_actual{{deployment="{dep}"}}' in scraped


def test_a_deployment_switches_to_a_fixed_count_and_back_in_place(
    client: WorkspaceClient, project
) -> None:
    served = deploy(client, project.id, "switched", file_path="models.py", function_name="echo")
    ids = {
        "project_id": project.id,
        "model_id": served.model.id,
        "build_id": served.build.id,
        "deployment_id": served.deployment.id,
    }
    assert served.deployment.replication_policy.model_dump(mode="json") == {
        "type": "fixed",
        "num_replicas": "1",
    }
    fixed = client.update_model_deployment(**ids, replicas=2)
    assert (fixed.replicas, fixed.replication_policy.type) == (2, "fixed")
    _wait(lambda: _ready(client, ids) == 2, 60, "2 ready")
    policy = {**POLICY, "min_replicas": 1, "max_replicas": 1}
    scaled = client.update_model_deployment(**ids, replication_policy=policy)
    assert scaled.replicas == 1, "brought within the new bounds at once"
    assert scaled.replication_policy.max_replicas == 1
    kinds = [e.kind for e in client.list_deployment_events(**ids).events]
    assert kinds.count("replication") == 2
    client.stop_model_deployment(**ids)


@pytest.mark.parametrize(
    ("policy", "named"),
    [
        ({**POLICY, "min_replicas": 4}, "min_replicas"),
        ({**POLICY, "max_replicas": 0}, "max_replicas"),
        ({**POLICY, "target_inflight": -1}, "target_inflight"),
        ({**POLICY, "target_p95_ms": 100}, "target_p95_ms or target_inflight"),
        ({"type": "elastic", "num_replicas": 2}, "type"),
    ],
)
def test_a_bad_policy_is_a_400_naming_the_field(
    client: WorkspaceClient, project, policy, named
) -> None:
    with pytest.raises(BadRequest, match=named):
        client.create_model(
            project_id=project.id, name=f"bad-{named}", default_replication_policy=policy
        )


def test_a_bad_policy_on_a_deployment_is_a_400_and_changes_nothing(
    client: WorkspaceClient, project
) -> None:
    served = deploy(client, project.id, "kept", file_path="models.py", function_name="echo")
    ids = {
        "project_id": project.id,
        "model_id": served.model.id,
        "build_id": served.build.id,
    }
    too_big = {**POLICY, "max_replicas": 64}  # 64 replicas of 64 GB: no backend here holds them
    with pytest.raises(BadRequest, match=r"max_replicas: 64 replicas of 0\.5 vCPU and 64 GB"):
        client.create_model_deployment(**ids, cpu=0.5, memory=64, replication_policy=too_big)
    with pytest.raises(BadRequest, match="min_replicas"):
        client.update_model_deployment(
            **ids,
            deployment_id=served.deployment.id,
            replication_policy={**POLICY, "min_replicas": 5},
        )
    with pytest.raises(BadRequest, match="exactly one"):
        client.update_model_deployment(**ids, deployment_id=served.deployment.id)
    after = client.get_model_deployment(**ids, deployment_id=served.deployment.id)
    assert (after.replicas, after.replication_policy.type) == (1, "fixed")
    client.stop_model_deployment(**ids, deployment_id=served.deployment.id)
