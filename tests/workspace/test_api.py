"""The control plane as a CML API v2 user sees it: projects, models, builds, deployments."""

from __future__ import annotations

import time

import pytest
import requests
from lab_server import deploy
from workspace.client import (
    BadRequest,
    Conflict,
    DeploymentFailed,
    NotFound,
    ReplicationPolicy,
    ResourceSpec,
)


def test_project_from_local_folder_is_a_copy_in_the_workspace(server, prd):
    assert prd.status == "success"
    copied = server.home / "projects" / prd.id
    assert (copied / "models.py").is_file()
    assert (copied / "pkg" / "helpers.py").is_file()


def test_list_projects_pages_sorts_and_filters(admin):
    for name in ("fleet-a", "fleet-b", "fleet-c"):
        admin.create_project(name=name, template="blank")
    page = admin.list_projects(search_filter={"name": "fleet-"}, page_size=2, sort="name")
    assert [p.name for p in page.projects] == ["fleet-a", "fleet-b"]
    assert page.next_page_token
    rest = admin.list_projects(
        search_filter={"name": "fleet-"}, page_size=2, sort="name", page_token=page.next_page_token
    )
    assert [p.name for p in rest.projects] == ["fleet-c"]
    assert rest.next_page_token == ""
    with pytest.raises(BadRequest, match="search_filter is not valid JSON"):
        admin.list_projects(search_filter="{oops")
    with pytest.raises(BadRequest, match="search_filter key 'colour'"):
        admin.list_projects(search_filter={"colour": "red"})


def test_project_from_git_url_is_cloned_in_the_background(admin, prd, server):
    import subprocess

    repo = server.home.parent / "git-source"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "job.py").write_text("print('hi')\n")
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "init"], check=True)
    project = admin.create_project(name="from-git", template="git", git_url=repo.as_uri())
    for _ in range(100):
        project = admin.get_project(project_id=project.id)
        if project.status != "creating":
            break
        time.sleep(0.1)
    assert project.status == "success"
    assert (server.home / "projects" / project.id / "job.py").is_file()


def test_model_names_are_unique_per_project(admin, prd, tracked_model):
    with pytest.raises(Conflict, match="already has a model named 'tracked'"):
        admin.create_model(project_id=prd.id, name="tracked")
    found = admin.list_models(project_id=prd.id, search_filter={"name": "tracked"}).models
    assert tracked_model.model.id in [m.id for m in found]


def test_get_model_returns_access_key_and_cml_fields(admin, prd, tracked_model):
    model = admin.get_model(project_id=prd.id, model_id=tracked_model.model.id)
    assert model.access_key and model.auth_enabled
    assert model.crn.startswith("crn:")
    assert model.default_resources == ResourceSpec(cpu_millicores=1000, memory_mb=2048)
    assert model.default_replication_policy == ReplicationPolicy(type="fixed", num_replicas=1)


def test_deployed_model_answers_in_cml_shape_with_project_and_deployment_environment(
    admin, tracked_model
):
    answer = admin.call_model(tracked_model.model.access_key, {"a": 1, "b": 2})
    assert answer["success"] is True
    assert answer["ReplicaID"]
    prediction = answer["response"]
    assert prediction["prediction"] == {"greeting": "HI", "region": "eu"}
    assert prediction["uuid"]


def test_read_metrics_returns_each_prediction_with_latency_replica_and_tracked_values(
    admin, tracked_model
):
    start = int(time.time() * 1000)
    answer = admin.call_model(tracked_model.model.access_key, {"a": 1, "b": 2, "c": 3})
    uuid = answer["response"]["uuid"]
    rows = admin.read_metrics(model_crn=tracked_model.model.crn, start_timestamp_ms=start).metrics
    row = next(r for r in rows if r.predictionUuid == uuid)
    assert row.metrics == {"input_size": 3}
    assert row.modelDeploymentCrn == tracked_model.deployment.crn
    assert row.modelBuildCrn == tracked_model.build.crn
    assert row.replicaId == answer["ReplicaID"] and row.statusCode == 200
    assert row.startTimeStampMs <= row.endTimeStampMs and row.latencyMs >= 0

    admin.track_delayed_metrics({"actual": "on-time"}, prediction_uuid=uuid)
    rows = admin.read_metrics(model_deployment_crn=tracked_model.deployment.crn).metrics
    merged = next(r for r in rows if r.predictionUuid == uuid)
    assert merged.metrics == {"input_size": 3, "actual": "on-time"}

    admin.track_aggregate_metrics(
        {"accuracy": 0.9},
        start_timestamp_ms=start,
        end_timestamp_ms=start + 1000,
        model_deployment_crn=tracked_model.deployment.crn,
    )
    rows = admin.read_metrics(model_crn=tracked_model.model.crn, start_timestamp_ms=start).metrics
    assert [r.metrics for r in rows if r.predictionUuid == ""] == [{"accuracy": 0.9}]
    with pytest.raises(NotFound):
        admin.track_delayed_metrics({"x": 1}, prediction_uuid="no-such-prediction")


def test_model_api_reaches_the_server_from_the_environment(server, tracked_model, monkeypatch):
    from workspace import model_api

    monkeypatch.setenv("LAB_API_URL", server.url)
    monkeypatch.setenv("LAB_API_KEY", server.admin_key)
    answer = model_api.call_model(tracked_model.model.access_key, {"z": 1})
    uuid = answer["response"]["uuid"]
    model_api.track_delayed_metrics({"label": 1}, uuid)
    rows = model_api.read_metrics(model_crn=tracked_model.model.crn)["metrics"]
    assert {"input_size": 1, "label": 1} in [r["metrics"] for r in rows]


def test_replicas_report_resources_and_samples_accumulate(admin, prd, tracked_model):
    ids = {
        "project_id": prd.id,
        "model_id": tracked_model.model.id,
        "build_id": tracked_model.build.id,
        "deployment_id": tracked_model.deployment.id,
    }
    replicas = admin.list_model_replicas(**ids).replicas
    assert [r.state for r in replicas] == ["ready"]
    assert replicas[0].cpu_limit == 0.5 and replicas[0].memory_limit_mb == 512
    for _ in range(50):  # a sample taken while the replica still started has no memory yet
        samples = admin.read_replica_metrics(**ids).replica_metrics
        if any(s.state == "ready" for s in samples):
            break
        time.sleep(0.2)
    ready = [s for s in samples if s.state == "ready"]
    assert ready[0].replica_id == replicas[0].id
    assert ready[0].memory_mb > 0


def test_prometheus_exposes_request_and_replica_figures(server, admin, tracked_model):
    admin.call_model(tracked_model.model.access_key, {})
    time.sleep(1.2)  # one sampler round
    auth = {"Authorization": f"Bearer {server.admin_key}"}  # Prometheus: authorization.credentials
    text = requests.get(f"{server.url}/metrics", headers=auth, timeout=10).text
    assert 'lab_requests_total{code="200",model="tracked"}' in text
    assert "lab_request_duration_seconds_bucket" in text
    assert f'lab_replicas_ready{{deployment="{tracked_model.deployment.id}"}} 1.0' in text


def test_a_deployment_created_while_its_build_runs_deploys_once_built(admin, prd):
    model = admin.create_model(project_id=prd.id, name="deployed-early")
    build = admin.create_model_build(
        project_id=prd.id, model_id=model.id, file_path="models.py", function_name="echo"
    )
    ids = {"project_id": prd.id, "model_id": model.id, "build_id": build.id}
    early = admin.create_model_deployment(**ids)  # as CML's notebooks do: no wait for the build
    assert admin.get_model_build(**ids).status in ("pending", "building", "built")
    assert early.status in ("pending", "deploying")
    admin.wait_for_deployment(**ids, deployment_id=early.id, timeout=120)
    assert admin.call_model(model.access_key, {"x": 1})["success"] is True


def test_a_deployment_of_a_build_that_fails_fails_with_the_builds_reason(admin, prd):
    model = admin.create_model(project_id=prd.id, name="never-built")
    build = admin.create_model_build(
        project_id=prd.id, model_id=model.id, file_path="broken.py", function_name="predict"
    )
    ids = {"project_id": prd.id, "model_id": model.id, "build_id": build.id}
    early = admin.create_model_deployment(**ids)
    with pytest.raises(DeploymentFailed, match=rf"build {build.id} failed: importing 'broken\.py'"):
        admin.wait_for_deployment(**ids, deployment_id=early.id, timeout=120)
    with pytest.raises(Conflict, match=r"failed: importing 'broken\.py'.*deploy a built one"):
        admin.create_model_deployment(**ids)  # the build is known to have failed: refused at once


def test_stop_then_restart_a_deployment(server, admin, prd):
    d = deploy(admin, prd.id, "stoppable", file_path="models.py", function_name="echo")
    ids = {
        "project_id": prd.id,
        "model_id": d.model.id,
        "build_id": d.build.id,
        "deployment_id": d.deployment.id,
    }
    assert admin.stop_model_deployment(**ids).status in ("stopping", "stopped")
    for _ in range(100):
        if admin.get_model_deployment(**ids).status == "stopped":
            break
        time.sleep(0.1)
    stopped = admin.get_model_deployment(**ids)
    assert stopped.status == "stopped" and stopped.stopped_at
    body = {"accessKey": d.model.access_key, "request": {}}
    answer = requests.post(f"{server.url}/model", json=body, timeout=10)
    assert answer.status_code == 503 and "no deployed build" in answer.json()["message"]
    assert admin.restart_model_deployment(**ids).status == "deploying"
    admin.wait_for_deployment(**ids, timeout=60)
    assert admin.call_model(d.model.access_key, {"back": True})["response"] == {"back": True}


def test_new_deployment_of_a_model_takes_over_its_endpoint(admin, prd):
    first = deploy(admin, prd.id, "cutover", file_path="models.py", function_name="echo")
    build = admin.create_model_build(
        project_id=prd.id, model_id=first.model.id, file_path="models.py", function_name="tracked"
    )
    admin.wait_for_build(project_id=prd.id, model_id=first.model.id, build_id=build.id)
    dep = admin.create_model_deployment(
        project_id=prd.id, model_id=first.model.id, build_id=build.id, cpu=0.5, memory=0.5
    )
    admin.wait_for_deployment(
        project_id=prd.id,
        model_id=first.model.id,
        build_id=build.id,
        deployment_id=dep.id,
        timeout=60,
    )
    answer = admin.call_model(first.model.access_key, {})
    assert "uuid" in answer["response"]  # the tracked build answers now
    builds = admin.list_model_builds(project_id=prd.id, model_id=first.model.id).model_builds
    assert {b.id for b in builds} == {first.build.id, build.id}
