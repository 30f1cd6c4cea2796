"""Alerts on a deployment: one raised shows on /metrics, in read_metrics and in the deployment's
history, and starts the deployment's alert job; feature drift needs the build's training
snapshot (409 saying what is missing); a malformed alert is a 400 naming the field."""

from __future__ import annotations

import pytest
import requests
from lab_server import PRD_FILES, Deployed
from workspace.client import Conflict


def _ids(deployed) -> dict[str, str]:
    return {
        "project_id": deployed.project_id,
        "model_id": deployed.model.id,
        "build_id": deployed.build.id,
        "deployment_id": deployed.deployment.id,
    }


def _alerts_url(server, deployed) -> str:
    ids = _ids(deployed)
    return (
        f"{server.url}/api/v2/projects/{ids['project_id']}/models/{ids['model_id']}"
        f"/builds/{ids['build_id']}/deployments/{ids['deployment_id']}/alerts"
    )


@pytest.fixture(scope="module")
def snapshot_model(server, admin, prd):
    """A registry build whose MLflow run names the table snapshot it learnt from."""
    import mlflow

    mlflow.set_tracking_uri(server.env["MLFLOW_TRACKING_URI"])
    mlflow.set_registry_uri(server.env["MLFLOW_TRACKING_URI"])
    if mlflow.get_experiment_by_name("drift-alerts") is None:
        mlflow.create_experiment(
            "drift-alerts", artifact_location=(server.home / "mlartifacts").as_uri()
        )
    mlflow.set_experiment("drift-alerts")
    with mlflow.start_run():
        mlflow.set_tags({"iceberg_table": "lab.iot_fleet", "iceberg_snapshot_id": "4242"})
        mlflow.pyfunc.log_model(
            name="model",
            python_model=str(PRD_FILES / "registry_model.py"),
            registered_model_name="drift-watched",
        )
    # Alerts need the deployment's record, not its replicas: it is stopped at once.
    model = admin.create_model(
        project_id=prd.id, name="drift-watched", registered_model_id="drift-watched"
    )
    build = admin.create_model_build(
        project_id=prd.id, model_id=model.id, registered_model_version_id="drift-watched/1"
    )
    dep = admin.create_model_deployment(
        project_id=prd.id, model_id=model.id, build_id=build.id, cpu=0.5, memory=0.5
    )
    deployed = Deployed(prd.id, model, build, dep)
    admin.stop_model_deployment(**_ids(deployed))
    yield deployed


def test_feature_drift_alert_shows_in_gauge_metrics_and_history(server, admin, snapshot_model):
    ids = _ids(snapshot_model)
    assert admin.get_training_snapshot(**ids).snapshot_id == "4242"
    alert = admin.create_deployment_alert(
        **ids,
        kind="feature_drift",
        detector="psi",
        feature="iot_signal_4",
        value=0.61,
        threshold=0.25,
        window=3,
    )
    assert alert.message == "feature drift of iot_signal_4: psi 0.61 past 0.25 in window 3"

    auth = {"Authorization": f"Bearer {server.admin_key}"}
    text = requests.get(f"{server.url}/metrics", headers=auth, timeout=10).text
    labels = (
        f'deployment="{ids["deployment_id"]}",detector="psi",'
        f'feature="iot_signal_4",kind="feature_drift"'
    )
    assert f"lab_drift_alert{{{labels}}} 0.61" in text

    rows = admin.read_metrics(model_deployment_crn=snapshot_model.deployment.crn).metrics
    [row] = [r for r in rows if "alert.kind" in r.metrics]
    assert row.metrics["alert.value"] == 0.61 and row.metrics["alert.feature"] == "iot_signal_4"

    [event] = admin.list_deployment_events(**ids, kind="alert").events
    assert event.message == alert.message
    assert event.details["reference"] == {"table": "lab.iot_fleet", "snapshot_id": "4242"}


def test_concept_drift_alert_starts_the_deployments_alert_job(admin, prd, tracked_model):
    ids = _ids(tracked_model)
    job = admin.create_job(project_id=prd.id, name="retrain-on-alert", script="models.py")
    admin.set_alert_action(**ids, job_id=job.id)
    alert = admin.create_deployment_alert(
        **ids, kind="concept_drift", detector="ddm", value=0.42, window=7
    )
    assert alert.job_run_id
    run = admin.wait_for_job_run(project_id=prd.id, job_id=job.id, run_id=alert.job_run_id)
    assert run.triggered_by == f"alert on {ids['deployment_id']}"
    kinds = [e.kind for e in admin.list_deployment_events(**ids).events]
    assert kinds[-2:] == ["alert_action", "alert"]


def test_feature_drift_without_a_training_snapshot_is_a_conflict_naming_it(admin, tracked_model):
    ids = _ids(tracked_model)
    with pytest.raises(Conflict, match="file build with no training snapshot"):
        admin.get_training_snapshot(**ids)
    with pytest.raises(Conflict, match="iceberg_snapshot_id"):
        admin.create_deployment_alert(
            **ids, kind="feature_drift", detector="psi", feature="a", value=1.0
        )
    events = admin.list_deployment_events(**ids, kind="alert").events
    assert all(e.details["kind"] != "feature_drift" for e in events)  # nothing half-stored


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"kind": "weather", "detector": "psi", "value": 1}, "kind"),
        ({"kind": "concept_drift", "value": 1}, "detector"),
        ({"kind": "concept_drift", "detector": "ddm", "value": "high"}, "value"),
        ({"kind": "feature_drift", "detector": "psi", "value": 1}, "feature"),
        ({"kind": "concept_drift", "detector": "ddm", "value": 1, "window": 0}, "window"),
        ({"kind": "concept_drift", "detector": "a b", "value": 1}, "detector"),
        ({"kind": "concept_drift", "detector": "ddm", "value": 1, "colour": "red"}, "colour"),
        (
            {
                "kind": "concept_drift",
                "detector": "ddm",
                "value": 1,
                "start_timestamp_ms": 5,
                "end_timestamp_ms": 4,
            },
            "end_timestamp_ms",
        ),
    ],
)
def test_malformed_alert_is_refused_naming_the_field(server, tracked_model, body, named):
    auth = {"Authorization": f"Bearer {server.admin_key}"}
    answer = requests.post(_alerts_url(server, tracked_model), json=body, headers=auth, timeout=10)
    assert answer.status_code == 400, answer.text
    assert named in answer.json()["message"]
