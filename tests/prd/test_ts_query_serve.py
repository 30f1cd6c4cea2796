"""prd/ts_query_serve.py: the TimeSeriesQuery contract (DESIGN §5) from a pinned snapshot."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pandas as pd
import pytest
from logistics.datagen import WriteMode, write_fleet
from logistics.fleet import FleetSpec
from logistics.lakehouse import read_arrow
from workspace.model_api import prediction_context

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def endpoint(pinned_snapshot, load_entry_point):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LAB_SNAPSHOT_ID", str(pinned_snapshot))
        module = load_entry_point("ts_query_serve.py")
        module.warmup()
        yield module


def test_upstream_request_gets_upstream_keys_plus_fleet_matches(endpoint, pinned_snapshot) -> None:
    with prediction_context() as ctx:
        answer = endpoint.predict({"pattern": [54, 53, 52, 51], "normalize": False, "k": 3})
    assert set(answer) == {"data", "nearest_neighbor", "matches"}
    assert answer["data"]["snapshot_id"] == pinned_snapshot
    assert [m["distance"] for m in answer["matches"]] == [0.0, 0.0, 0.0]
    assert answer["nearest_neighbor"] == answer["matches"][0]["index"]
    assert set(answer["matches"][0]) == {"device_id", "event_ts", "index", "distance"}
    assert ctx.metrics == {
        "input": {"pattern": [54, 53, 52, 51], "normalize": False, "k": 3},
        "nearest_neighbor": answer["nearest_neighbor"],
    }
    json.dumps(answer, allow_nan=False)


def test_matches_point_at_the_injected_falling_runs_of_the_pinned_snapshot(endpoint) -> None:
    events = read_arrow("injected_events").to_pandas()
    runs = events[events.name == "falling_run"]
    answer = endpoint.predict({"pattern": [54, 53, 52, 51], "normalize": False, "k": len(runs)})
    found = {(m["device_id"], pd.Timestamp(m["event_ts"])) for m in answer["matches"]}
    assert found == set(zip(runs.device_id, runs.start_ts, strict=True))


def test_device_filter_and_signal_are_honoured(endpoint) -> None:
    answer = endpoint.predict(
        {"pattern": [104, 105, 104.5], "signal": "iot_signal_4", "device_id": "device-0002", "k": 4}
    )
    assert {m["device_id"] for m in answer["matches"]} == {"device-0002"}
    assert len(answer["matches"]) == 4


@pytest.mark.parametrize(
    ("request_body", "field"),
    [
        ({"pattern": [1, 2]}, "pattern"),
        ({"pattern": [1, "x", 3]}, "pattern"),
        ({"pattern": [1, 2, 3], "k": 0}, "k"),
        ({"pattern": [1, 2, 3], "signal": "speed"}, "signal"),
        ({"pattern": [1, 2, 3], "device_id": "truck-1"}, "device_id"),
        ({"pattern": [1, 2, 3], "normalize": "no"}, "normalize"),
        ({"patern": [1, 2, 3]}, "patern"),
        ([54, 53, 52], "request"),
    ],
)
def test_bad_requests_raise_value_error_naming_the_field(endpoint, request_body, field) -> None:
    with pytest.raises(ValueError, match=field):
        endpoint.predict(request_body)


def test_pinned_deployment_keeps_answering_from_its_snapshot_after_new_data(
    endpoint, pinned_snapshot, spark, load_entry_point
) -> None:
    write_fleet(spark, FleetSpec(devices=3, days=1, seed=21), WriteMode.APPEND)
    fresh = load_entry_point("ts_query_serve.py")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LAB_SNAPSHOT_ID", str(pinned_snapshot))
        pinned = fresh.predict({"pattern": [54, 53, 52, 51], "k": 1})
    assert pinned["data"]["snapshot_id"] == pinned_snapshot
    assert fresh.warmup().fleet.lengths.tolist() == [1440, 1440, 1440]


def test_a_fresh_process_serves_without_spark_or_numba(pinned_snapshot) -> None:
    code = (
        "import importlib.util, json, sys\n"
        "spec = importlib.util.spec_from_file_location('m', 'prd/ts_query_serve.py')\n"
        "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m); m.warmup()\n"
        "print(json.dumps(m.predict({'pattern': [54, 53, 52, 51]})['nearest_neighbor']))\n"
        "assert 'pyspark' not in sys.modules and 'numba' not in sys.modules, 'heavy import'\n"
    )
    env = {**os.environ, "LAB_SNAPSHOT_ID": str(pinned_snapshot)}
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert isinstance(json.loads(done.stdout.strip().splitlines()[-1]), int)
