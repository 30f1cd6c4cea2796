"""Fleet training on Spark: per-device models in Iceberg, pinned to the snapshot, run in MLflow."""

from __future__ import annotations

import pandas as pd
import pytest
from logistics.datagen import WriteMode, write_fleet
from logistics.lakehouse import load_table, read_arrow
from logistics.timeseries.device_models import TrainingParams, serial_findings
from logistics.timeseries.training_run import train_and_log

pytestmark = pytest.mark.spark
KEY = ["device_id", "kind", "signal", "rank"]


@pytest.fixture(scope="module")
def trained(spark, small_fleet, compiled_models):
    write_fleet(spark, small_fleet.spec, WriteMode.REPLACE)
    telemetry = load_table("fleet_telemetry").current_snapshot().snapshot_id
    events = load_table("injected_events").current_snapshot().snapshot_id
    report = train_and_log(spark, snapshot_id=telemetry, events_snapshot_id=events)
    return telemetry, report


def test_results_land_in_iceberg_with_the_source_snapshot(trained, small_fleet) -> None:
    snapshot, _ = trained
    for table in ("motifs", "discords", "device_similarity"):
        rows = read_arrow(table).to_pandas()
        assert len(rows) > 0, table
        assert set(rows.snapshot_id) == {snapshot}, table
    discords = read_arrow("discords").to_pandas()
    assert set(discords.kind) == {"discord"}
    assert discords.device_id.nunique() == small_fleet.spec.devices
    pairs = read_arrow("device_similarity").to_pandas()
    assert pairs.groupby("device_id").size().eq(3).all()
    assert (pairs.device_id != pairs.other_device_id).all()


def test_spark_learns_what_the_serial_loop_learns(trained, small_fleet) -> None:
    serial = serial_findings(small_fleet.telemetry, TrainingParams())
    key = ["device_id", "kind", "signal", "rank"]
    spark_rows = (
        read_arrow("discords").to_pandas().sort_values(key)[[*key, "window_index", "distance"]]
    )
    serial_rows = serial[serial.kind == "discord"].sort_values(key)[
        [*key, "window_index", "distance"]
    ]
    assert spark_rows.window_index.tolist() == serial_rows.window_index.tolist()
    assert spark_rows.distance.round(9).tolist() == serial_rows.distance.round(9).tolist()


def test_mlflow_run_has_params_metrics_and_plot(trained) -> None:
    import mlflow

    snapshot, report = trained
    run = mlflow.get_run(report.run_id)
    assert run.data.params["motif_m"] == "30"
    assert run.data.params["snapshot_id"] == str(snapshot)
    assert run.data.metrics["precision"] >= 0.6
    assert run.data.metrics["recall"] >= 0.5
    assert run.data.metrics["motif_hit_rate"] >= 0.9
    assert run.data.metrics["motif_precision"] >= 0.8
    assert run.data.metrics["motif_recall"] >= 0.9
    artifacts = [
        a.path for a in mlflow.artifacts.list_artifacts(run_id=report.run_id, artifact_path="plots")
    ]
    assert artifacts == [f"plots/{report.plot.name}"]
    assert report.plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_training_again_at_the_snapshot_after_an_append_learns_and_scores_the_same(
    spark, trained, small_fleet
) -> None:
    import mlflow

    snapshot, first = trained
    write_fleet(spark, small_fleet.spec, WriteMode.APPEND)  # later readings and their events
    assert load_table("fleet_telemetry").current_snapshot().snapshot_id != snapshot
    again = train_and_log(spark, snapshot_id=snapshot)  # ground truth read as it is now

    def learned(report):
        return {
            "discords": report.models.discords.sort_values(KEY).reset_index(drop=True),
            "motifs": report.models.motifs.sort_values(KEY).reset_index(drop=True),
            "metrics": {k: v for k, v in report.metrics.items() if k != "training_seconds"},
        }

    rebuilt, original = learned(again), learned(first)
    pd.testing.assert_frame_equal(rebuilt["discords"], original["discords"])
    pd.testing.assert_frame_equal(rebuilt["motifs"], original["motifs"])
    assert rebuilt["metrics"] == original["metrics"]
    assert mlflow.get_run(again.run_id).data.tags["iceberg_snapshot_id"] == str(snapshot)


def test_devices_are_spread_so_every_task_gets_the_same_work(spark) -> None:
    """Twelve devices of equal length on four tasks: three each, each device whole in one task;
    a device twice as long (four times the work) gets a task nearly to itself."""
    from logistics.timeseries.fleet_training import TASK_COLUMN, balance_devices

    rows = [(f"d{i:02d}", t) for i in range(12) for t in range(10)]
    rows += [("long", t) for t in range(20)]
    frame = spark.createDataFrame(rows, "device_id string, t int")
    placed = balance_devices(frame, 4).drop(TASK_COLUMN)
    tasks = placed.rdd.glom().map(lambda part: sorted({r.device_id for r in part})).collect()
    assert len(tasks) == 4
    assert sorted(d for task in tasks for d in task) == sorted({r[0] for r in rows})
    assert sorted(len(task) for task in tasks) == [1, 4, 4, 4]
    assert ["long"] in tasks
