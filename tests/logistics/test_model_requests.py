"""The lab's test requests, and load of the kind each model expects, cut from the lakehouse."""

from __future__ import annotations

import pytest
from logistics.datagen import WriteMode, write_telemetry
from logistics.fleet import FleetSpec
from logistics.model_requests import (
    CLASSIFIER_SEED_REQUEST,
    PATTERN_TEST_REQUEST,
    load_requests,
    payload_kind,
)
from logistics.telemetry_schema import SIGNALS


def test_the_upstream_test_requests_keep_their_shape() -> None:
    assert PATTERN_TEST_REQUEST == {"pattern": [54, 53, 52, 51]}
    split = CLASSIFIER_SEED_REQUEST["dataframe_split"]
    assert split == {"columns": list(SIGNALS), "data": [[35.5, 200.5, 30.5, 14.5]]}


@pytest.mark.parametrize(
    ("model", "kind", "expected"),
    [
        ("TimeSeriesQuery", None, "pattern"),
        ("MultiDimMotif", None, "window"),
        ("IOTFailureClf", None, "classifier"),
        ("TimeSeriesQuery", "window", "window"),
    ],
)
def test_the_request_kind_follows_the_model_unless_asked(model, kind, expected) -> None:
    assert payload_kind(model, kind) == expected


@pytest.mark.spark
def test_load_is_cut_from_the_table_each_model_reads(spark, ensure_fleet) -> None:
    ensure_fleet(FleetSpec(devices=3, days=1, seed=21))
    write_telemetry(spark, FleetSpec(devices=2, days=1, seed=5), WriteMode.REPLACE, "iot_fleet")
    patterns = load_requests(None, "TimeSeriesQuery", n=50)
    assert len(patterns) == 50 and all(4 <= len(p["pattern"]) <= 16 for p in patterns)
    windows = load_requests(None, "MultiDimMotif", n=50)
    assert len(windows) == 2 and set(windows[0]) == set(SIGNALS)
    classifier = load_requests(None, "IOTFailureClf", n=10)
    assert len(classifier) == 10
    assert classifier[0]["dataframe_split"]["columns"] == list(SIGNALS)
