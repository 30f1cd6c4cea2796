"""The summaries the data steps show after a write, read back through the catalog."""

from __future__ import annotations

import pytest
from logistics.datagen import WriteMode, write_telemetry
from logistics.fleet import FleetSpec
from logistics.table_summaries import (
    readings_by_event_type,
    rows_by_failure_label,
    snapshot_history,
)

pytestmark = pytest.mark.spark


def test_readings_by_event_type_count_every_reading(spark, ensure_fleet) -> None:
    spec = FleetSpec(devices=3, days=1, seed=21)
    ensure_fleet(spec)
    counts = {r.event_type: r.readings for r in readings_by_event_type(spark).collect()}
    assert sum(counts.values()) == spec.devices * 1440 and len(counts) > 1


def test_the_classifier_table_shows_labels_and_one_snapshot_per_batch(spark) -> None:
    first = write_telemetry(
        spark, FleetSpec(devices=2, days=1, seed=8), WriteMode.REPLACE, "iot_fleet"
    )
    second = write_telemetry(
        spark, FleetSpec(devices=2, days=1, seed=9), WriteMode.APPEND, "iot_fleet"
    )
    labels = {r.iot_failure: r.rows for r in rows_by_failure_label(spark).collect()}
    assert set(labels) == {0, 1} and sum(labels.values()) == first.rows + second.rows
    history = snapshot_history(spark).collect()
    assert history[-1].snapshot_id == second.snapshot_id
    assert history[-1].parent_id == first.snapshot_id
    assert int(history[-1].added) == second.rows
