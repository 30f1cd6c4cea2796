"""Registry builds: an MLflow model version or alias becomes a deployment that accepts MLflow
input formats."""

from __future__ import annotations

import requests
from lab_server import PRD_FILES


def test_registered_model_alias_builds_and_serves_mlflow_formats(server, admin, prd):
    import mlflow
    from mlflow import MlflowClient

    mlflow.set_tracking_uri(server.env["MLFLOW_TRACKING_URI"])
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
