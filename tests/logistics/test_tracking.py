"""Scripts and the workspace's MLflow server share one store, whether or not the server runs.

The end-to-end test logs a run and registers ``IOTFailureClf@champion`` the way step 01 and 02
do while no server runs, then starts the workspace's own MLflow service on the same LAB_HOME and
reads the run, the alias and the model back over HTTP.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import mlflow
import pandas as pd
import pytest
import requests
from lab_server import free_port
from logistics import tracking
from logistics.failure_model import FEATURES, ClassifierParams, log_run, train
from logistics.fleet import FleetSpec, simulate_device
from logistics.registry import CHAMPION, load_alias, register
from logistics.settings import get_settings
from logistics.snapshots import SnapshotInfo
from workspace.core.config import WorkspaceSettings
from workspace.server.services.mlflow_server import MlflowService

MODEL = "IOTFailureClf"


@pytest.fixture()
def lab_home_without_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh LAB_HOME, no MLFLOW_TRACKING_URI, and a free MLflow port nothing listens on."""
    previous = mlflow.get_tracking_uri(), mlflow.get_registry_uri()
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.delenv("MLFLOW_REGISTRY_URI", raising=False)
    monkeypatch.setenv("LAB_HOME", str(tmp_path))
    monkeypatch.setenv("LAB_MLFLOW_PORT", str(free_port()))
    get_settings.cache_clear()
    yield tmp_path
    monkeypatch.undo()  # mlflow.set_tracking_uri exported its own MLFLOW_TRACKING_URI meanwhile
    get_settings.cache_clear()
    mlflow.set_tracking_uri(previous[0])
    mlflow.set_registry_uri(previous[1])


def new_script_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget what an earlier ``configure_tracking`` exported, as a fresh script would."""
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.delenv("MLFLOW_REGISTRY_URI", raising=False)


def wait_for_server(url: str, service: MlflowService, log: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if tracking.server_answers(url):
            return
        if service.process is not None and service.process.poll() is not None:
            break
        time.sleep(0.5)
    tail = log.read_text()[-3000:] if log.exists() else "(no log)"
    raise AssertionError(f"MLflow server at {url} did not answer:\n{tail}")


def test_an_explicit_tracking_uri_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    explicit = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", explicit)
    assert tracking.tracking_uri() == explicit


def test_the_local_store_is_the_one_the_workspace_server_opens(lab_home_without_server) -> None:
    workspace = WorkspaceSettings()
    assert workspace.mlflow_port == get_settings().mlflow_port
    assert tracking.local_store() == workspace.mlflow_dir / "mlflow.db"
    assert tracking.artifact_root() == workspace.mlflow_dir / "artifacts"
    assert tracking.tracking_uri() == f"sqlite:///{workspace.mlflow_dir / 'mlflow.db'}"


def test_a_model_registered_without_the_server_is_served_by_it_afterwards(
    lab_home_without_server: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = FleetSpec(devices=3, days=1, seed=5)
    frame = pd.concat([simulate_device(spec, i) for i in range(spec.devices)], ignore_index=True)
    trained = train(frame, ClassifierParams(n_estimators=10, seed=1))
    lineage = SnapshotInfo(
        table="logistics.iot_fleet",
        snapshot_id=123,
        committed_at=datetime(2026, 1, 5, tzinfo=UTC),
        parent_id=None,
        row_count=len(frame),
    )

    # what steps 01 and 02 do by hand while the workspace is down
    tracking.use_experiment("iot-failure-classifier")
    run_id, model_uri = log_run(trained, lineage, run_name="offline", facts={"rows": len(frame)})
    version = register(model_uri, MODEL, CHAMPION)
    artifacts = mlflow.get_run(run_id).info.artifact_uri
    assert artifacts.startswith(tracking.artifact_root().as_uri())

    new_script_process(monkeypatch)
    workspace = WorkspaceSettings()
    service = MlflowService(workspace)
    url = f"http://127.0.0.1:{workspace.mlflow_port}"
    service.start()
    try:
        wait_for_server(url, service, workspace.logs_dir / "mlflow.log")
        assert tracking.tracking_uri() == url

        run = requests.get(f"{url}/api/2.0/mlflow/runs/get", params={"run_id": run_id}, timeout=10)
        assert run.status_code == 200, run.text
        tags = {t["key"]: t["value"] for t in run.json()["run"]["data"]["tags"]}
        assert tags["iceberg_snapshot_id"] == "123"
        alias = requests.get(
            f"{url}/api/2.0/mlflow/registered-models/alias",
            params={"name": MODEL, "alias": CHAMPION},
            timeout=10,
        )
        assert alias.status_code == 200, alias.text
        assert alias.json()["model_version"]["version"] == str(version)

        tracking.configure_tracking()
        served = load_alias(MODEL, CHAMPION)
        example = trained.holdout[list(FEATURES)].astype("float64").head(3)
        assert list(served.predict(example)) == list(trained.model.predict(example))

        tracking.use_experiment("created-by-the-server")
        created = mlflow.get_experiment_by_name("created-by-the-server")
        assert created.artifact_location.startswith("mlflow-artifacts:")
    finally:
        service.stop()

    new_script_process(monkeypatch)
    with pytest.raises(ValueError, match="workspace up"):
        tracking.use_experiment("created-by-the-server")
