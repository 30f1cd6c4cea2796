"""A prediction's lineage: from its uuid to the deployment, build, model, MLflow run with its
parameters, and the Iceberg table and snapshot that run was tagged with, for a registry build and
a file build alike; an unknown uuid and another user's prediction both answer 404 naming it."""

from __future__ import annotations

import json
import uuid

import pytest
import requests
from lab_server import PRD_FILES, deploy
from typer.testing import CliRunner
from workspace.cli import app
from workspace.client import NotFound
from workspace.server.services.snapshot_digest import folder_sha256

LINEAGE_TAGS = {
    "iceberg_table": "lakehouse.logistics.iot_fleet",
    "iceberg_snapshot_id": "7345012345678901234",
    "iceberg_snapshot_committed_at": "2026-12-01T20:00:00+00:00",
    "iceberg_parent_id": "",
    "row_count": "11520",
}


@pytest.fixture(scope="module")
def tracking(server):
    """MLflow on the server's own store, in an experiment whose artifacts stay under its home."""
    import mlflow

    mlflow.set_tracking_uri(server.env["MLFLOW_TRACKING_URI"])
    mlflow.set_registry_uri(server.env["MLFLOW_TRACKING_URI"])
    if mlflow.get_experiment_by_name("lineage") is None:
        mlflow.create_experiment(
            "lineage", artifact_location=(server.home / "mlartifacts").as_uri()
        )
    mlflow.set_experiment("lineage")
    return mlflow


def _predict(server, access_key: str, body: dict) -> str:
    answer = requests.post(
        f"{server.url}/model", json={"accessKey": access_key, **body}, timeout=30
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["PredictionUUID"]


@pytest.fixture(scope="module")
def registry_prediction(server, admin, prd, tracking):
    """A prediction of a model built from ``lineage-doubler@champion``, logged by a tagged run."""
    with tracking.start_run(run_name="doubler-training") as run:
        tracking.log_params({"n_estimators": 20, "seed": 7})
        tracking.set_tags(LINEAGE_TAGS)
        tracking.pyfunc.log_model(
            name="model",
            python_model=str(PRD_FILES / "registry_model.py"),
            registered_model_name="lineage-doubler",
        )
    from mlflow import MlflowClient

    MlflowClient().set_registered_model_alias("lineage-doubler", "champion", "1")
    served = deploy(
        admin, prd.id, "lineage-doubler", registered_model_version_id="lineage-doubler@champion"
    )
    split = {"columns": ["a"], "data": [[1.5]]}
    return (
        served,
        run.info.run_id,
        _predict(server, served.model.access_key, {"dataframe_split": split}),
    )


@pytest.fixture(scope="module")
def file_prediction(server, admin, prd, tracking):
    """A prediction of a file build whose deployment names its training run in MLFLOW_RUN_ID."""
    with tracking.start_run(run_name="index-at-snapshot") as run:
        tracking.log_params({"motif_m": 30, "snapshot_id": LINEAGE_TAGS["iceberg_snapshot_id"]})
        tracking.set_tags(LINEAGE_TAGS)
    served = deploy(
        admin,
        prd.id,
        "lineage-echo",
        file_path="models.py",
        function_name="echo",
        deployment={"environment": {"MLFLOW_RUN_ID": run.info.run_id}},
    )
    return served, run.info.run_id, _predict(server, served.model.access_key, {"request": {"x": 1}})


def test_a_registry_build_prediction_leads_to_its_version_run_and_snapshot(
    admin, registry_prediction, server
):
    served, run_id, prediction_uuid = registry_prediction
    lineage = admin.get_prediction_lineage(prediction_uuid)
    assert lineage.prediction.uuid == prediction_uuid and lineage.prediction.status_code == 200
    assert lineage.deployment.id == served.deployment.id
    assert (lineage.model.id, lineage.project.name) == (served.model.id, "PRD")
    build = lineage.build
    assert (build.id, build.kind) == (served.build.id, "registry")
    assert (build.registered_model, build.version, build.alias) == (
        "lineage-doubler",
        "1",
        "champion",
    )
    assert build.files_sha256 == folder_sha256(server.home / "builds" / served.build.id)
    assert lineage.run.run_id == run_id and lineage.run.run_name == "doubler-training"
    assert lineage.run.params == {"n_estimators": "20", "seed": "7"}
    data = lineage.training_data
    assert (data.table, data.snapshot_id, data.row_count) == (
        "lakehouse.logistics.iot_fleet",
        7345012345678901234,
        11520,
    )
    assert lineage.gaps == []


def test_a_file_build_prediction_leads_to_the_run_its_deployment_names(
    admin, file_prediction, server
):
    _, run_id, prediction_uuid = file_prediction
    lineage = admin.get_prediction_lineage(prediction_uuid)
    assert (lineage.build.kind, lineage.build.file_path, lineage.build.function_name) == (
        "files",
        "models.py",
        "echo",
    )
    assert lineage.build.files_sha256 == folder_sha256(PRD_FILES)  # the project as copied
    assert lineage.run.run_id == run_id and lineage.run.params["motif_m"] == "30"
    assert lineage.training_data.snapshot_id == 7345012345678901234
    assert lineage.run.tags["iceberg_table"] == "lakehouse.logistics.iot_fleet"
    # the answer on the wire: int64 as strings, as every other int64 of the API
    raw = requests.get(
        f"{server.url}/api/v2/predictions/{prediction_uuid}/lineage",
        headers={"Authorization": f"Bearer {server.admin_key}"},
        timeout=30,
    ).json()
    assert raw["training_data"]["snapshot_id"] == "7345012345678901234"


def test_a_file_build_deployed_without_its_run_says_what_is_missing(server, admin, tracked_model):
    prediction_uuid = _predict(server, tracked_model.model.access_key, {"request": {"x": 2}})
    lineage = admin.get_prediction_lineage(prediction_uuid)
    assert lineage.build.id == tracked_model.build.id
    assert lineage.run is None and lineage.training_data is None
    assert any("MLFLOW_RUN_ID" in gap for gap in lineage.gaps), lineage.gaps


def test_an_unknown_prediction_is_a_404_that_names_it(server, admin):
    unknown = str(uuid.uuid4())
    with pytest.raises(NotFound, match=unknown):
        admin.get_prediction_lineage(unknown)
    answer = requests.get(
        f"{server.url}/api/v2/predictions/{unknown}/lineage",
        headers={"Authorization": f"Bearer {server.admin_key}"},
        timeout=30,
    )
    assert answer.status_code == 404 and unknown in answer.json()["message"]


def test_another_users_prediction_is_a_404_not_a_403(server, admin, file_prediction):
    _, _, prediction_uuid = file_prediction
    outsider = server.client(admin.create_user("lina").api_key)
    with pytest.raises(NotFound, match=prediction_uuid):
        outsider.get_prediction_lineage(prediction_uuid)


def test_the_cli_prints_the_chain_and_the_json(server, registry_prediction):
    served, run_id, prediction_uuid = registry_prediction
    env = {"LAB_API_URL": server.url, "LAB_API_KEY": server.admin_key, "COLUMNS": "200"}
    shown = CliRunner().invoke(app, ["lineage", prediction_uuid], env=env)
    assert shown.exit_code == 0, shown.output
    for link in (
        f"prediction {prediction_uuid}",
        f"deployment {served.deployment.id}",
        f"build {served.build.id}",
        "registered model lineage-doubler v1 (@champion)",
        f"MLflow run {run_id}",
        "n_estimators=20",
        "trained on lakehouse.logistics.iot_fleet snapshot 7345012345678901234, 11,520 rows",
    ):
        assert link in shown.output, shown.output
    as_json = CliRunner().invoke(app, ["lineage", prediction_uuid, "--json"], env=env)
    assert json.loads(as_json.output)["run"]["run_id"] == run_id
    missing = CliRunner().invoke(app, ["lineage", "no-such-prediction"], env=env)
    assert missing.exit_code == 1 and "no-such-prediction" in missing.output
