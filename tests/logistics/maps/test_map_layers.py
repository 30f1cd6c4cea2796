"""What a fleet map chooses to draw: bounded markers, simplified routes, binned event heat."""

from __future__ import annotations

import pandas as pd
import pytest
from logistics.fleet import FleetSpec, simulate_device
from logistics.maps.layers import (
    event_onsets,
    fair_quota,
    heat_grid,
    positions_over_time,
    select_event_markers,
    slider_step,
    trajectories,
)
from shapely.geometry import LineString


@pytest.fixture(scope="module")
def fleet() -> pd.DataFrame:
    spec = FleetSpec(devices=6, days=1, seed=4)
    return pd.concat([simulate_device(spec, i) for i in range(spec.devices)], ignore_index=True)


def readings(device: str, types: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "device_id": device,
            "event_ts": pd.date_range("2026-01-05", periods=len(types), freq="min", tz="UTC"),
            "event_type": types,
            "latitude": 37.5,
            "longitude": -122.0,
        }
    )


def test_event_onsets_mark_where_each_run_of_an_event_begins() -> None:
    ok, low, bad = "system ok", "tank below 10%", "system malfunction"
    telemetry = pd.concat(
        [readings("a", [ok, low, low, ok, low, bad, bad]), readings("b", [low, low, ok])]
    ).sample(frac=1, random_state=1)  # order must not matter
    onsets = event_onsets(telemetry)
    got = list(zip(onsets.device_id, onsets.event_ts.dt.minute, onsets.event_type, strict=True))
    assert got == [("a", 1, low), ("a", 4, low), ("a", 5, bad), ("b", 0, low)]


def test_fair_quota_keeps_rare_event_types_whole_and_shares_the_rest() -> None:
    counts = pd.Series({"tank below 5%": 1000, "device error": 10, "system malfunction": 3})
    quota = fair_quota(counts, 100)
    assert quota.to_dict() == {"system malfunction": 3, "device error": 10, "tank below 5%": 87}
    assert fair_quota(pd.Series({"a": 50, "b": 60}), 40).to_dict() == {"a": 20, "b": 20}


def test_event_markers_are_bounded_and_keep_every_event_type(fleet: pd.DataFrame) -> None:
    onset_types = set(event_onsets(fleet).event_type)
    assert len(onset_types) >= 3
    for budget in (40, 1500):
        markers = select_event_markers(fleet, max_markers=budget)
        assert 0 < len(markers) <= budget
        assert onset_types <= set(markers.event_type)
        normal = markers[markers.event_type == "system ok"]
        assert len(normal) == int(budget * 0.05)
    assert select_event_markers(fleet, max_markers=0).empty


def test_trajectories_simplify_each_route_without_moving_it_more_than_the_tolerance(
    fleet: pd.DataFrame,
) -> None:
    tolerance = 0.0005
    routes = trajectories(fleet, tolerance_deg=tolerance)
    assert sorted(routes) == sorted(fleet.device_id.unique())
    for device, points in routes.items():
        rows = fleet[fleet.device_id == device].sort_values("event_ts")
        original = LineString(rows[["longitude", "latitude"]].to_numpy())
        simple = LineString([(lon, lat) for lat, lon in points])
        assert len(points) < len(rows) / 5
        assert original.hausdorff_distance(simple) <= tolerance * 1.001
        assert points[0] == (rows.latitude.iloc[0], rows.longitude.iloc[0])


def test_heat_grid_bins_every_event_reading_and_ignores_normal_ones(fleet: pd.DataFrame) -> None:
    cell = 0.01
    grid = heat_grid(fleet, cell_deg=cell)
    events = fleet[fleet.event_type != "system ok"]
    lat_bins, lon_bins = (events.latitude / cell).round(), (events.longitude / cell).round()
    cells = set(zip(lat_bins, lon_bins, strict=True))
    assert len(grid) == len(cells)
    assert max(w for _, _, w in grid) == 1.0
    assert heat_grid(fleet[fleet.event_type == "system ok"]) == []


def test_the_slider_step_is_the_finest_that_keeps_the_positions_bounded(
    fleet: pd.DataFrame,
) -> None:
    assert slider_step(fleet, max_positions=6 * 96) == pd.Timedelta("15min")
    assert slider_step(fleet, max_positions=6 * 96 - 1) == pd.Timedelta("30min")
    assert slider_step(fleet, max_positions=1) == pd.Timedelta("1D")


def test_positions_over_time_keep_each_devices_first_reading_of_every_step(
    fleet: pd.DataFrame,
) -> None:
    step = pd.Timedelta("1h")
    positions = positions_over_time(fleet, step)
    assert len(positions) == 6 * 24
    assert (positions.event_ts == positions.event_ts.dt.floor(step)).all()
    first = fleet.sort_values("event_ts").groupby("device_id").first()
    at_start = positions.groupby("device_id").first()
    assert (at_start.latitude == first.latitude).all()
