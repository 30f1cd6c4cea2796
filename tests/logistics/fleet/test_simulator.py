"""The fleet simulator: deterministic, structured series with known injected ground truth."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from logistics.fleet import FleetSpec, injected_events, simulate_device, zones_frame
from logistics.fleet.signals import FALLING_RUN
from logistics.telemetry_schema import EVENT_TYPES, TELEMETRY_COLUMNS
from shapely.geometry import Point

SPEC = FleetSpec(devices=4, days=2, seed=11)


@pytest.fixture(scope="module")
def device() -> pd.DataFrame:
    return simulate_device(SPEC, 1)


def test_same_seed_gives_the_same_rows() -> None:
    pd.testing.assert_frame_equal(simulate_device(SPEC, 2), simulate_device(SPEC, 2))


def test_another_seed_or_start_gives_other_rows() -> None:
    base = simulate_device(SPEC, 2)
    other_seed = simulate_device(replace(SPEC, seed=12), 2)
    later = simulate_device(replace(SPEC, start=SPEC.start + timedelta(days=2)), 2)
    assert not np.allclose(base["iot_signal_3"], other_seed["iot_signal_3"])
    assert not np.allclose(base["iot_signal_3"], later["iot_signal_3"])


def test_a_device_reports_exactly_the_telemetry_columns_in_table_order(device) -> None:
    assert tuple(device.columns) == TELEMETRY_COLUMNS


def test_one_reading_per_minute(device: pd.DataFrame) -> None:
    assert len(device) == SPEC.days * 1440
    steps = device["event_ts"].diff().dropna().unique()
    assert list(steps) == [pd.Timedelta(minutes=1)]
    assert str(device["event_ts"].dt.tz) == "UTC"


def test_signals_stay_in_upstream_ranges_outside_anomalies(device: pd.DataFrame) -> None:
    truth = injected_events(SPEC)
    truth = truth[(truth.device_id == device.device_id[0]) & (truth.kind == "anomaly")]
    normal = np.ones(len(device), dtype=bool)
    for row in truth.itertuples():
        normal &= ~device["event_ts"].between(row.start_ts, row.end_ts)
    d = device[normal]
    assert d.iot_signal_1.between(1, 10).all()
    assert ((d.iot_signal_2 - d.iot_signal_1).between(0, 2)).all()
    assert d.iot_signal_3.between(50, 55).all()
    assert d.iot_signal_4.between(100, 107).all()


def test_signals_have_a_daily_cycle(device: pd.DataFrame) -> None:
    hourly = device.groupby(device.event_ts.dt.hour)["iot_signal_1"].mean()
    assert hourly.max() - hourly.min() > 2.0  # a real cycle, not uniform noise


def test_falling_run_is_injected_where_ground_truth_says(device: pd.DataFrame) -> None:
    truth = injected_events(SPEC)
    runs = truth[(truth.device_id == device.device_id[0]) & (truth.name == "falling_run")]
    assert len(runs) == 3 * SPEC.days
    for row in runs.itertuples():
        window = device[device.event_ts.between(row.start_ts, row.end_ts)]
        np.testing.assert_array_equal(window.iot_signal_3.to_numpy(), FALLING_RUN)


def test_injected_events_never_overlap() -> None:
    truth = injected_events(SPEC)
    for _, events in truth.groupby("device_id"):
        events = events.sort_values("start_ts")
        assert (events.start_ts.iloc[1:].to_numpy() > events.end_ts.iloc[:-1].to_numpy()).all()
    assert set(truth.name) >= {"falling_run", "hump"}
    assert set(truth.kind) == {"motif", "anomaly"}


def test_event_type_is_derived_from_the_signals(device: pd.DataFrame) -> None:
    assert set(device.event_type) <= set(EVENT_TYPES)
    malfunction = device[device.event_type == "system malfunction"]
    assert (
        (malfunction.iot_signal_4 > 107)
        | (malfunction.iot_signal_3 > 55)
        | (malfunction.iot_signal_3 < 50)
        | (malfunction.iot_signal_1 > 10)
    ).all()
    low = device[device.event_type == "tank below 5%"]
    assert (low.fuel_level < 5).all()


def test_failure_label_depends_on_the_signals() -> None:
    fleet = pd.concat([simulate_device(FleetSpec(devices=12, days=2), i) for i in range(12)])
    assert 0.02 < fleet.iot_failure.mean() < 0.25
    failed, ok = fleet[fleet.iot_failure == 1], fleet[fleet.iot_failure == 0]
    assert failed.iot_signal_4.mean() > ok.iot_signal_4.mean() + 0.5


def test_trucks_start_the_day_in_their_depot_and_visit_delivery_areas(device: pd.DataFrame) -> None:
    zones = zones_frame()
    from shapely import wkt

    polygons = {row.zone_id: wkt.loads(row.wkt) for row in zones.itertuples()}
    first = Point(device.longitude[0], device.latitude[0]).buffer(0.002)
    assert any(poly.intersects(first) for zid, poly in polygons.items() if zid.startswith("depot"))
    areas = [p for zid, p in polygons.items() if zid.startswith("area")]
    stops = device[device.speed_kmh == 0].iloc[::15]
    assert any(
        a.contains(Point(r.longitude, r.latitude)) for r in stops.itertuples() for a in areas
    )
    assert device.speed_kmh.max() < 90


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("devices", {"devices": 0}),
        ("days", {"days": -1}),
        ("start", {"start": datetime(2026, 1, 1)}),
    ],
)
def test_invalid_spec_names_the_field(field: str, kwargs: dict) -> None:
    with pytest.raises(ValueError, match=field):
        FleetSpec(**kwargs)
