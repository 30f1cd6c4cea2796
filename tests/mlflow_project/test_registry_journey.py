"""Part two of the lab, step by step, against a real workspace, MLflow store and Iceberg table:
train on a signal-driven label, deploy from the registry, retrain on a new batch behind a quality
gate, redeploy the champion, simulate traffic with delayed ground truth, monitor drift and raise
alerts."""

from __future__ import annotations

import re

import pytest
import requests
from logistics.datagen import WriteMode, write_telemetry
from logistics.fleet import FleetSpec

SIGNALS = ["iot_signal_1", "iot_signal_2", "iot_signal_3", "iot_signal_4"]
pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def first_batch(spark):
    return write_telemetry(
        spark, FleetSpec(devices=8, days=1, seed=21), WriteMode.REPLACE, "iot_fleet"
    )


def endpoint(lab_server, run_step):
    from workspace.lifecycle import find_project, serving

    client = lab_server.client()
    return serving(client, find_project(client, "logistics-mlflow").id, "IOTFailureClf")


def test_01_train_logs_metrics_well_above_chance(first_batch, run_step) -> None:
    output = run_step("mlflow_project/01_train_xgboost.py")
    roc_auc = float(re.search(r"roc_auc: ([0-9.]+)", output).group(1))
    assert roc_auc > 0.8, output
    assert f"snapshot {first_batch.snapshot_id}" in output


def test_02_deploys_from_the_registry_and_answers_the_seed_request(run_step) -> None:
    output = run_step("mlflow_project/02_api_deployment.py")
    assert re.search(r"prediction for the seed request: \[[01]\]", output), output


def test_a_served_prediction_traces_back_to_the_champion_run_and_its_snapshot(
    lab_server, run_step, first_batch
) -> None:
    served = endpoint(lab_server, run_step)
    body = {"columns": SIGNALS, "data": [[35.5, 200.5, 30.5, 14.5]]}
    answer = lab_server.client().call_model(served.model.access_key, {"dataframe_split": body})
    lineage = lab_server.client().get_prediction_lineage(answer["PredictionUUID"])
    assert (lineage.build.registered_model, lineage.build.alias) == ("IOTFailureClf", "champion")
    assert lineage.run.params["max_depth"] == "4"
    assert lineage.training_data.table.endswith("iot_fleet")
    assert lineage.training_data.snapshot_id == first_batch.snapshot_id


@pytest.mark.parametrize(
    "body",
    [
        {"dataframe_split": {"columns": SIGNALS, "data": [[35.5, 200.5, 30.5, 14.5]]}},
        {"dataframe_records": [dict(zip(SIGNALS, [5.0, 6.0, 52.0, 104.0], strict=True))]},
        {"instances": [dict(zip(SIGNALS, [5.0, 6.0, 52.0, 104.0], strict=True))]},
        {"inputs": {name: [v] for name, v in zip(SIGNALS, [5.0, 6.0, 52.0, 104.0], strict=True)}},
    ],
)
def test_endpoint_accepts_every_mlflow_input_format(lab_server, run_step, body) -> None:
    served = endpoint(lab_server, run_step)
    answer = requests.post(
        f"{lab_server.url}/model", json={"accessKey": served.model.access_key, **body}, timeout=30
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["response"] in ([0], [1])


@pytest.mark.parametrize(
    ("columns", "row", "named"),
    [
        (SIGNALS[:3], [1.0, 2.0, 3.0], "iot_signal_4"),
        ([*SIGNALS, "speed"], [1.0, 2.0, 3.0, 4.0, 5.0], "speed"),
        (SIGNALS, [1.0, "hot", 3.0, 4.0], "iot_signal_2"),
    ],
)
def test_endpoint_enforces_the_signature(lab_server, run_step, columns, row, named) -> None:
    served = endpoint(lab_server, run_step)
    body = {
        "accessKey": served.model.access_key,
        "dataframe_split": {"columns": columns, "data": [row]},
    }
    answer = requests.post(f"{lab_server.url}/model", json=body, timeout=30)
    assert 400 <= answer.status_code < 500 and named in answer.json()["message"], answer.text


def test_04_retrains_on_the_new_batch_only_and_explains_the_gate(spark, run_step) -> None:
    batch = write_telemetry(
        spark, FleetSpec(devices=8, days=1, seed=22), WriteMode.APPEND, "iot_fleet"
    )
    output = run_step("mlflow_project/04_train_xgboost.py")
    assert f"read {batch.rows:,} new rows" in output
    assert re.search(r"(promoted to champion|champion kept): challenger roc_auc", output), output


def test_05_redeploys_the_champion_without_a_second_model(lab_server, run_step) -> None:
    before = endpoint(lab_server, run_step)
    output = run_step("mlflow_project/05_api_redeployment.py")
    after = endpoint(lab_server, run_step)
    assert after.deployment.id != before.deployment.id and after.model.id == before.model.id
    assert f"{before.deployment.id} stopped" in output


def test_06_simulation_reports_delayed_truth_and_window_accuracy(run_step) -> None:
    output = run_step("mlflow_project/06_model_simulation.py", "--count", "300", "--window", "100")
    accuracies = [float(a) for a in re.findall(r"accuracy ([0-9.]+) over 100", output)]
    assert len(accuracies) == 3 and all(0.5 < a <= 1 for a in accuracies), output


def test_07_monitoring_finds_the_drifted_feature_raises_alerts_and_saves_a_plot(
    lab_server, run_step
) -> None:
    output = run_step("mlflow_project/07_model_monitoring.py", "--window", "100")
    assert "features shifted vs training data: iot_signal_4" in output, output
    assert "alert: feature drift of iot_signal_4: psi" in output, output
    served = endpoint(lab_server, run_step)
    events = lab_server.client().list_deployment_events(
        project_id=served.project_id,
        model_id=served.model.id,
        build_id=served.build.id,
        deployment_id=served.deployment.id,
        kind="alert",
    )
    assert any(e.details["feature"] == "iot_signal_4" for e in events.events), events
    plot = re.search(r"saved (\S+\.png)", output).group(1)
    with open(plot, "rb") as handle:
        assert handle.read(4) == b"\x89PNG"
