"""Datagen through Spark into Iceberg: partitioned, atomic, appendable, reproducible."""

from __future__ import annotations

import pandas as pd
import pytest
from logistics.datagen import WriteMode, device_buckets, write_fleet
from logistics.fleet import FleetSpec, simulate_device
from logistics.lakehouse import load_table, read_arrow

SPEC = FleetSpec(devices=5, days=1, seed=3)


@pytest.fixture(scope="module")
def replaced(spark):
    return write_fleet(spark, SPEC, WriteMode.REPLACE)


def test_replace_writes_every_reading_with_the_simulated_values(replaced) -> None:
    table = read_arrow("fleet_telemetry").to_pandas()
    assert len(table) == SPEC.rows == replaced.rows
    got = table[table.device_id == "device-0003"].sort_values("event_ts").reset_index(drop=True)
    expected = simulate_device(SPEC, 2)
    pd.testing.assert_series_equal(got["iot_signal_3"], expected["iot_signal_3"])
    assert (got["event_ts"].astype("int64") == expected["event_ts"].astype("int64")).all()


def test_telemetry_is_partitioned_by_day_and_device_bucket(replaced) -> None:
    spec = load_table("fleet_telemetry").spec()
    transforms = sorted(str(f.transform) for f in spec.fields)
    assert transforms == ["bucket[8]", "day"]


def test_each_spark_task_writes_one_bucket_of_devices() -> None:
    groups = device_buckets(FleetSpec(devices=40))
    assert sorted(i for g in groups for i in g) == list(range(40))
    assert len(groups) <= 8


def test_ground_truth_and_zones_are_written_beside_telemetry(replaced) -> None:
    events = read_arrow("injected_events").to_pandas()
    assert set(events.device_id) == {f"device-{i:04d}" for i in range(1, 6)}
    zones = read_arrow("zones").to_pandas()
    assert set(zones.kind) == {"depot", "delivery_area", "restricted_area"}
    assert zones.wkt.str.startswith("POLYGON").all()


def test_append_commits_a_new_snapshot_that_continues_the_series(spark, replaced) -> None:
    before = load_table("fleet_telemetry").current_snapshot()
    result = write_fleet(spark, SPEC, WriteMode.APPEND)
    table = load_table("fleet_telemetry")
    assert table.current_snapshot().parent_snapshot_id == before.snapshot_id
    assert result.spec.start == SPEC.start + pd.Timedelta(days=1)
    rows = read_arrow("fleet_telemetry").to_pandas()
    assert len(rows) == 2 * SPEC.rows
    assert rows.groupby("device_id").event_ts.nunique().eq(2 * 1440).all()
    assert table.current_snapshot().summary["lab.seed"] == "3"
    # the previous snapshot still reads as it was (time travel)
    assert len(read_arrow("fleet_telemetry", snapshot_id=before.snapshot_id)) == SPEC.rows
