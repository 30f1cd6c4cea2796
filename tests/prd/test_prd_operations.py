"""Part one of the lab from DEV deployment to PRD operations, against a real workspace and the
Iceberg tables: deploy both models through the API (03, 04), simulate load (05), monitor (06),
and redeploy with more replicas under load without a failed request (07)."""

from __future__ import annotations

import re

import pytest
import requests
from logistics.fleet import FleetSpec

pytestmark = pytest.mark.spark
FLEET = FleetSpec(devices=6, days=1, seed=7)


@pytest.fixture(scope="module")
def fleet(ensure_fleet):
    return ensure_fleet(FLEET)


def prd_client(lab_server):
    from workspace.lifecycle import find_project

    client = lab_server.client()
    return client, find_project(client, "logistics-prd")


def test_03_deploys_time_series_query_and_answers_the_lab_pattern(fleet, run_step) -> None:
    output = run_step("dev/03_model_deployment.py")
    assert re.search(r"best match of the test pattern: index \d+", output), output
    assert f"on snapshot {fleet}" in output
    assert "access key " in output


def test_04_deploys_multi_dim_motif_and_answers_plain_json(fleet, run_step) -> None:
    output = run_step("dev/04_model_deployment.py")
    assert "deployed MultiDimMotif" in output, output


def test_rerunning_03_adds_a_build_not_a_model(lab_server, run_step) -> None:
    run_step("dev/03_model_deployment.py")
    client, project = prd_client(lab_server)
    names = [m.name for m in client.list_models(project_id=project.id).models]
    assert sorted(names) == ["MultiDimMotif", "TimeSeriesQuery"]
    tsq = next(
        m for m in client.list_models(project_id=project.id).models if m.name == "TimeSeriesQuery"
    )
    assert len(client.list_model_builds(project_id=project.id, model_id=tsq.id).model_builds) == 2


def test_the_lab_test_request_reaches_the_endpoint_as_upstream_sends_it(lab_server) -> None:
    from workspace.lifecycle import serving

    client, project = prd_client(lab_server)
    served = serving(client, project.id, "TimeSeriesQuery")
    body = {"accessKey": served.model.access_key, "request": {"pattern": [54, 53, 52, 51]}}
    answer = requests.post(f"{lab_server.url}/model", json=body, timeout=30).json()
    assert answer["success"] is True
    response = answer["response"]
    result = response.get("prediction", response)
    assert result["nearest_neighbor"] == result["matches"][0]["index"]
    bad = requests.post(
        f"{lab_server.url}/model",
        timeout=30,
        json={"accessKey": served.model.access_key, "request": {"pattern": [1, "x", 3]}},
    )
    assert bad.status_code == 400 and "pattern" in bad.json()["message"]


def test_05_simulates_load_and_saves_every_request(run_step) -> None:
    output = run_step("prd/05_model_simulation.py", "--count", "150", "--concurrency", "4")
    assert re.search(r"requests  150 \(150 ok, 0 failed", output), output
    assert re.search(r"saved \S+requests\.csv", output)


def test_05_names_the_models_that_exist_when_the_model_is_unknown(run_step) -> None:
    output = run_step(
        "prd/05_model_simulation.py",
        "--model",
        "TimeSeriesQuery-alice-2024-05-29",
        "--count",
        "1",
        expect=1,
    )
    assert output.strip().splitlines()[-1] == (
        "error: no model named 'TimeSeriesQuery-alice-2024-05-29' in this project; "
        "models that exist: MultiDimMotif, TimeSeriesQuery"
    )


def test_06_monitors_the_deployment_and_gives_a_capacity_verdict(run_step) -> None:
    output = run_step("prd/06_model_monitoring.py")
    assert re.search(r"(SATURATED|not saturated): [0-9.]+ requests/s on 1 replica", output), output
    assert re.search(r"saved \S+traffic_latency\.png", output)
    assert re.search(r"saved \S+replicas\.png", output)


def test_07_redeploys_with_more_replicas_without_a_failed_request(lab_server, run_step) -> None:
    output = run_step(
        "prd/07_model_redeployment.py",
        *("--replicas", "2", "--seconds", "4", "--autoscale-min", "2", "--autoscale-max", "2"),
    )
    assert re.search(r"cutover: \d+ requests during the redeploy, 0 failed", output), output
    assert re.search(r"requests/s\s+[0-9.]+\s+[0-9.]+\s+[0-9.]+", output)
    assert "autoscaling 2..2 replicas for p95 <= 250 ms" in output
    from workspace.lifecycle import serving

    client, project = prd_client(lab_server)
    deployment = serving(client, project.id, "TimeSeriesQuery").deployment
    assert deployment.replicas == 2 and deployment.replication_policy.type == "autoscaling"


def test_06_shows_the_autoscaling_policy_of_a_redeployed_model(run_step) -> None:
    output = run_step("prd/06_model_monitoring.py")
    assert "replication: autoscaling 2..2 replicas for p95 <= 250 ms; 2 replica(s) now" in output


def test_a_redeploy_whose_build_fails_leaves_the_old_deployment_serving(lab_server) -> None:
    from workspace.client import BuildFailed
    from workspace.lifecycle import redeploy, serving

    client, project = prd_client(lab_server)
    current = serving(client, project.id, "MultiDimMotif")
    with pytest.raises(BuildFailed, match="keeps serving"):
        redeploy(
            client,
            current,
            cpu=1,
            memory=1,
            replicas=1,
            file_path="ts_multidim_serve.py",
            function_name="no_such_function",
        )
    assert serving(client, project.id, "MultiDimMotif").deployment.id == current.deployment.id
