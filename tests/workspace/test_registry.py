"""Registry builds: an MLflow model version or alias becomes a deployment that accepts MLflow
input formats; ``create_registered_model`` refuses what it cannot register, keeping nothing."""

from __future__ import annotations

import json

import requests
from lab_server import PRD_FILES


def test_registered_model_alias_builds_and_serves_mlflow_formats(server, admin, prd):
    import mlflow
    from mlflow import MlflowClient

    mlflow.set_tracking_uri(server.env["MLFLOW_TRACKING_URI"])
    mlflow.set_registry_uri(server.env["MLFLOW_TRACKING_URI"])
    # its own experiment, artifacts under the server's LAB_HOME (not the working directory)
    if mlflow.get_experiment_by_name("registry-builds") is None:
        mlflow.create_experiment(
            "registry-builds", artifact_location=(server.home / "mlartifacts").as_uri()
        )
    mlflow.set_experiment("registry-builds")
    with mlflow.start_run():
        mlflow.pyfunc.log_model(
            name="model",
            python_model=str(PRD_FILES / "registry_model.py"),
            registered_model_name="doubler",
        )
    MlflowClient().set_registered_model_alias("doubler", "champion", "1")

    model = admin.create_model(project_id=prd.id, name="doubler", registered_model_id="doubler")
    build = admin.create_model_build(
        project_id=prd.id, model_id=model.id, registered_model_version_id="doubler@champion"
    )
    build = admin.wait_for_build(
        project_id=prd.id, model_id=model.id, build_id=build.id, timeout=120
    )
    assert build.registered_model_version_id == "doubler/1"  # the alias is pinned at build time
    dep = admin.create_model_deployment(
        project_id=prd.id, model_id=model.id, build_id=build.id, cpu=1, memory=1
    )
    admin.wait_for_deployment(
        project_id=prd.id, model_id=model.id, build_id=build.id, deployment_id=dep.id, timeout=120
    )

    split = {"columns": ["a", "b"], "data": [[1, 2]]}
    bodies = [
        {"accessKey": model.access_key, "dataframe_split": split},
        {"accessKey": model.access_key, "dataframe_records": [{"a": 1, "b": 2}]},
        {"accessKey": model.access_key, "request": {"dataframe_split": split}},
    ]
    for body in bodies:
        answer = requests.post(f"{server.url}/model", json=body, timeout=30)
        assert answer.status_code == 200, answer.text
        assert answer.json()["success"] is True
        assert "4" in str(answer.json()["response"])


def test_missing_registered_model_fails_the_build(admin, prd):
    model = admin.create_model(project_id=prd.id, name="ghost")
    build = admin.create_model_build(
        project_id=prd.id, model_id=model.id, registered_model_version_id="ghost@champion"
    )
    import pytest
    from workspace.client import BuildFailed

    with pytest.raises(BuildFailed, match="registered model 'ghost@champion' not found"):
        admin.wait_for_build(project_id=prd.id, model_id=model.id, build_id=build.id, timeout=120)


def test_mlflow_format_body_needs_a_registry_build(server, tracked_model):
    body = {"accessKey": tracked_model.model.access_key, "instances": [[1]]}
    answer = requests.post(f"{server.url}/model", json=body, timeout=10)
    assert answer.status_code == 400
    assert "registry build" in answer.json()["message"]


def test_create_registered_model_refuses_what_it_cannot_register_and_keeps_nothing(server, prd):
    import cmlapi
    import mlflow
    import pytest
    from cmlapi.rest import ApiException

    mlflow.set_tracking_uri(server.env["MLFLOW_TRACKING_URI"])
    mlflow.set_registry_uri(server.env["MLFLOW_TRACKING_URI"])
    if mlflow.get_experiment_by_name("registry-refusals") is None:
        mlflow.create_experiment(
            "registry-refusals", artifact_location=(server.home / "mlartifacts").as_uri()
        )
    experiment = mlflow.set_experiment("registry-refusals")
    with mlflow.start_run() as run:
        mlflow.log_param("logged", "no model")
    client = cmlapi.default_client(url=server.url, cml_api_key=server.admin_key)
    body = {"project_id": prd.id, "run_id": run.info.run_id, "model_name": "never-registered"}
    refusals = {
        "no such run": ({**body, "run_id": "0" * 32, "model_path": "model"}, 404, "not found"),
        "no model there": ({**body, "model_path": "model"}, 400, "logged no model at 'model'"),
        "other experiment": (
            {**body, "model_path": "model", "experiment_id": "999"},
            400,
            f"belongs to experiment '{experiment.experiment_id}'",
        ),
        "no run given": ({**body, "run_id": "", "model_path": "model"}, 400, "run_id"),
        "slash in name": ({**body, "model_name": "a/b", "model_path": "m"}, 400, "model_name"),
    }
    for name, (request, status, words) in refusals.items():
        with pytest.raises(ApiException) as refused:
            client.create_registered_model(request)
        error = json.loads(refused.value.body)
        assert (refused.value.status, name) == (status, name)
        assert words in error["message"] and set(error) == {"error", "code", "message", "details"}
    with pytest.raises(ApiException) as missing:
        client.get_registered_model("never-registered")
    assert missing.value.status == 404
