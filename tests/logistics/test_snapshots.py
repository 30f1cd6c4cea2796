"""Snapshot ids are resolved one way, and row filters are expressions whose values stay values.

These tables are written with pyiceberg alone, in the same catalog Spark uses, so the tests need
no JVM.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pyarrow as pa
import pytest
from logistics.lakehouse import load_catalog, load_table, read_arrow
from logistics.maps.source import telemetry_filter
from logistics.settings import get_settings
from logistics.snapshots import resolve_snapshot, snapshot_info

READINGS = pa.schema(
    [
        pa.field("device_id", pa.string(), nullable=False),
        pa.field("event_ts", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("iot_signal_3", pa.float64()),
    ]
)
DAY = date(2026, 1, 6)


def readings(devices: list[str], minutes: list[datetime]) -> pa.Table:
    rows = [(d, ts, 52.0) for d in devices for ts in minutes]
    columns = list(zip(*rows, strict=True))
    return pa.Table.from_arrays([pa.array(c) for c in columns], schema=READINGS)


def fresh_table(name: str):
    catalog, settings = load_catalog(), get_settings()
    catalog.create_namespace_if_not_exists(settings.namespace)
    identifier = settings.table(name)
    if catalog.table_exists(identifier):
        catalog.drop_table(identifier)
    return catalog.create_table(identifier, schema=READINGS)


def test_snapshots_resolve_to_the_current_one_or_a_named_earlier_one() -> None:
    table = fresh_table("snapshot_probe")
    with pytest.raises(ValueError, match=r"has no snapshot yet: run `python dev/00_datagen.py`"):
        resolve_snapshot(table)
    start = datetime(2026, 1, 5, tzinfo=UTC)
    table.append(readings(["device-0001"], [start, start + timedelta(minutes=1)]))
    first = table.current_snapshot().snapshot_id
    table.append(readings(["device-0002"], [start]))
    table = load_table("snapshot_probe")

    assert resolve_snapshot(table).snapshot_id == table.current_snapshot().snapshot_id != first
    assert resolve_snapshot(table, first).snapshot_id == first
    with pytest.raises(ValueError, match=r"is not a snapshot of table logistics\.snapshot_probe"):
        resolve_snapshot(table, 12345)

    earlier, latest = snapshot_info("snapshot_probe", first), snapshot_info("snapshot_probe")
    assert (earlier.row_count, latest.row_count) == (2, 3)
    assert latest.parent_id == first and earlier.table == "logistics.snapshot_probe"
    assert latest.as_tags()["iceberg_snapshot_id"] == str(latest.snapshot_id)


def test_the_map_filter_keeps_one_utc_day_of_the_named_devices() -> None:
    midnight = datetime.combine(DAY, datetime.min.time(), tzinfo=UTC)
    before, last = midnight - timedelta(minutes=1), midnight + timedelta(hours=23, minutes=59)
    minutes = [before, midnight, last, midnight + timedelta(days=1)]
    fresh_table("map_filter_probe").append(
        readings(["device-0001", "device-0002", "o'hare-7"], minutes)
    )

    kept = read_arrow(
        "map_filter_probe", row_filter=telemetry_filter(["device-0001", "o'hare-7"], DAY)
    ).to_pylist()

    assert sorted((r["device_id"], r["event_ts"]) for r in kept) == [
        (device, ts) for device in ("device-0001", "o'hare-7") for ts in minutes[1:3]
    ]
    assert read_arrow("map_filter_probe", row_filter=telemetry_filter()).num_rows == 12
