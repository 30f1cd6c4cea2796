"""Finding the model training logged last, the snapshot a registered model learned from, and the
run that learned from a snapshot."""

from __future__ import annotations

from datetime import UTC, datetime

import mlflow
import pandas as pd
import pytest
from logistics.failure_model import ClassifierParams, log_run, train
from logistics.fleet import FleetSpec, simulate_device
from logistics.model_lineage import latest_logged_model, trained_on, training_run_at
from logistics.registry import CHAMPION, register
from logistics.snapshots import SnapshotInfo
from logistics.tracking import use_experiment

EXPERIMENT = "lineage-tests"


@pytest.fixture(scope="module")
def two_runs() -> tuple[str, str]:
    spec = FleetSpec(devices=4, days=1, seed=41)
    frame = pd.concat([simulate_device(spec, i) for i in range(spec.devices)], ignore_index=True)
    trained = train(frame, ClassifierParams(seed=1))
    use_experiment(EXPERIMENT)
    uris = []
    for snapshot_id in (41, 42):
        snapshot = SnapshotInfo(
            "iot_fleet", snapshot_id, datetime(2026, 1, 5, tzinfo=UTC), None, len(frame)
        )
        uris.append(log_run(trained, snapshot, run_name=f"at-{snapshot_id}")[1])
    return uris[0], uris[1]


def test_the_newest_logged_model_is_the_one_to_register(two_runs) -> None:
    assert latest_logged_model(EXPERIMENT) == two_runs[1]


def test_a_missing_experiment_says_which_step_logs_models() -> None:
    with pytest.raises(ValueError, match=r"01_train_xgboost\.py"):
        latest_logged_model("no-such-experiment")


def test_an_experiment_without_models_says_to_train_first() -> None:
    use_experiment("lineage-empty")
    with pytest.raises(ValueError, match="no logged model"):
        latest_logged_model("lineage-empty")


def test_the_champion_names_the_snapshot_it_was_trained_on(two_runs) -> None:
    version = register(two_runs[0], "LineageClf", CHAMPION)
    champion = trained_on("LineageClf", CHAMPION)
    assert (champion.version, champion.snapshot_id) == (version, 41)
    assert mlflow.get_run(champion.run_id).data.tags["iceberg_snapshot_id"] == "41"


def test_an_alias_that_does_not_exist_is_one_clear_error() -> None:
    with pytest.raises(ValueError, match="no registered model Nobody@champion"):
        trained_on("Nobody", CHAMPION)


def test_the_run_trained_on_a_snapshot_is_found_by_its_lineage_tag(two_runs) -> None:
    run_id = training_run_at(EXPERIMENT, 41)
    assert mlflow.get_run(run_id).info.run_name == "at-41"
    assert training_run_at(EXPERIMENT, 43) is None
    assert training_run_at("no-such-experiment", 41) is None
