"""The failure classifier learns the signal-driven label, logs its lineage and gates promotion."""

from __future__ import annotations

import argparse

import mlflow
import pandas as pd
import pytest
from logistics.datagen import WriteMode, write_telemetry
from logistics.failure_model import (
    FEATURES,
    ClassifierParams,
    evaluate,
    log_run,
    quality_gate,
    read_training_frame,
    train,
)
from logistics.fleet import FleetSpec, simulate_device
from logistics.registry import CHALLENGER, CHAMPION, alias_version, load_alias, move_alias, register
from logistics.snapshots import read_increment, snapshot_info
from logistics.tracking import use_experiment


@pytest.fixture(scope="module")
def fleet_frame() -> pd.DataFrame:
    spec = FleetSpec(devices=8, days=1, seed=31)
    return pd.concat([simulate_device(spec, i) for i in range(spec.devices)], ignore_index=True)


def test_classifier_beats_chance_because_the_label_depends_on_the_signals(fleet_frame) -> None:
    trained = train(fleet_frame, ClassifierParams(seed=1))
    assert trained.metrics["roc_auc"] > 0.8
    assert set(trained.metrics) == {"accuracy", "precision", "recall", "roc_auc"}


def test_the_seeded_split_gives_the_same_model_twice(fleet_frame) -> None:
    a, b = (
        train(fleet_frame, ClassifierParams(seed=5)),
        train(fleet_frame, ClassifierParams(seed=5)),
    )
    assert a.metrics == b.metrics


def test_training_without_both_classes_or_a_signal_is_refused(fleet_frame) -> None:
    with pytest.raises(ValueError, match="iot_signal_2"):
        train(fleet_frame.drop(columns=["iot_signal_2"]))
    with pytest.raises(ValueError, match="single class"):
        train(fleet_frame.assign(iot_failure=0))


def test_flags_fill_the_hyperparameters_the_model_is_fitted_with(fleet_frame) -> None:
    parser = argparse.ArgumentParser()
    ClassifierParams.add_flags(parser)
    args = parser.parse_args(["--max-depth", "2", "--n-estimators", "20", "--seed", "7"])
    params = ClassifierParams.from_flags(args)
    assert params == ClassifierParams(max_depth=2, n_estimators=20, seed=7)
    fitted = train(fleet_frame, params).model.get_params()
    assert (fitted["max_depth"], fitted["n_estimators"], fitted["random_state"]) == (2, 20, 7)
    with pytest.raises(ValueError, match="subsample"):
        ClassifierParams.from_flags(parser.parse_args(["--subsample", "1.5"]))


def test_gate_keeps_the_champion_when_the_challenger_is_worse(fleet_frame) -> None:
    good = train(fleet_frame, ClassifierParams(seed=1))
    noisy = fleet_frame.assign(
        iot_failure=fleet_frame.iot_failure.sample(frac=1, random_state=0).to_numpy()
    )
    bad = train(noisy, ClassifierParams(seed=1))
    decision = quality_gate(bad.model, good.model, good.holdout)
    assert not decision.promote and "does not beat" in decision.reason
    assert quality_gate(good.model, bad.model, good.holdout).promote


def test_run_carries_metrics_signature_and_iceberg_lineage_then_promotes_by_alias(spark) -> None:
    first = write_telemetry(
        spark, FleetSpec(devices=6, days=1, seed=2), WriteMode.REPLACE, "iot_fleet"
    )
    snapshot = snapshot_info("iot_fleet")
    assert snapshot.snapshot_id == first.snapshot_id and snapshot.row_count == first.rows
    from logistics.lakehouse import read_arrow

    trained = train(read_arrow("iot_fleet").to_pandas(), ClassifierParams(seed=3))
    use_experiment("test-iot-failure")
    run_id, model_uri = log_run(trained, snapshot, run_name="t")
    run = mlflow.get_run(run_id)
    assert run.data.tags["iceberg_snapshot_id"] == str(snapshot.snapshot_id)
    assert run.data.tags["row_count"] == str(first.rows)
    assert run.data.tags["iceberg_table"] == "logistics.iot_fleet"
    assert run.data.params["max_depth"] == "4" and run.data.params["seed"] == "3"
    assert run.data.metrics["roc_auc"] == pytest.approx(trained.metrics["roc_auc"])
    info = mlflow.models.get_model_info(model_uri)
    assert [c["name"] for c in info.signature.inputs.to_dict()] == [
        "iot_signal_1",
        "iot_signal_2",
        "iot_signal_3",
        "iot_signal_4",
    ]
    version = register(model_uri, "TestIOTFailureClf", CHAMPION)
    assert alias_version("TestIOTFailureClf", CHAMPION) == version

    second = write_telemetry(
        spark, FleetSpec(devices=6, days=1, seed=9), WriteMode.APPEND, "iot_fleet"
    )
    snapshot = snapshot_info("iot_fleet")
    assert snapshot.parent_id == first.snapshot_id
    increment = read_increment(
        spark, "iot_fleet", snapshot.parent_id, snapshot.snapshot_id
    ).toPandas()
    assert len(increment) == second.rows
    first_batch_end = pd.Timestamp(first.spec.start).tz_localize(None) + pd.Timedelta(hours=23)
    assert increment.event_ts.min() > first_batch_end  # only the new rows were read

    challenger = train(increment, ClassifierParams(seed=3))
    new_version = register(
        log_run(challenger, snapshot, run_name="c")[1], "TestIOTFailureClf", CHALLENGER
    )
    champion = load_alias("TestIOTFailureClf", CHAMPION)
    assert evaluate(champion, challenger.holdout)["roc_auc"] > 0.7
    move_alias("TestIOTFailureClf", CHAMPION, new_version)
    assert alias_version("TestIOTFailureClf", CHAMPION) == new_version == version + 1


def test_training_again_at_a_snapshot_rebuilds_the_same_model_after_an_append(
    spark, fleet_frame
) -> None:
    first = write_telemetry(
        spark, FleetSpec(devices=4, days=1, seed=12), WriteMode.REPLACE, "iot_fleet"
    )
    params = ClassifierParams(seed=4, n_estimators=50)
    before = train(read_training_frame("iot_fleet", first.snapshot_id)[1], params)
    write_telemetry(spark, FleetSpec(devices=4, days=1, seed=13), WriteMode.APPEND, "iot_fleet")

    snapshot, frame = read_training_frame("iot_fleet", first.snapshot_id)
    again = train(frame, params)
    assert (snapshot.snapshot_id, len(frame)) == (first.snapshot_id, first.rows)
    assert len(read_training_frame("iot_fleet")[1]) > first.rows  # the append is there
    assert again.metrics == before.metrics
    probe = fleet_frame[list(FEATURES)].astype("float64")
    assert (again.model.predict_proba(probe) == before.model.predict_proba(probe)).all()
    with pytest.raises(ValueError, match="not a snapshot of table"):
        read_training_frame("iot_fleet", 12345)
