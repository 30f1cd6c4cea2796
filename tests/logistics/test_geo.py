"""Sedona's answers to the geospatial questions, checked against a shapely/numpy brute force.

Every test reads the same rows twice: once through Sedona SQL in the shared Spark session, once
collected to pandas and answered point by point with shapely and the haversine formula.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from logistics import geo
from logistics.datagen import WriteMode, write_fleet
from logistics.fleet import FleetSpec
from logistics.settings import get_settings

pytestmark = pytest.mark.spark

SPEC = FleetSpec(devices=6, days=1, seed=21)
EARTH_RADIUS_KM = 6371.0088  # mean radius, as ST_DistanceSphere uses
KEY = ["device_id", "event_ts", "zone_id"]


@pytest.fixture(scope="module")
def fleet(spark):
    """Telemetry and zones pinned to the snapshots written here, as Spark and pandas frames."""
    write_fleet(spark, SPEC, WriteMode.REPLACE)
    settings = get_settings()

    def pinned(name: str):
        table = settings.spark_identifier(name)
        snapshot = spark.sql(
            f"SELECT snapshot_id FROM {table}.snapshots ORDER BY committed_at DESC LIMIT 1"
        ).first()[0]
        return spark.sql(f"SELECT * FROM {table} VERSION AS OF {snapshot}")

    telemetry, zones = pinned("fleet_telemetry"), pinned("zones")
    return telemetry, zones, telemetry.toPandas(), zones.toPandas()


def inside_zones(readings: pd.DataFrame, zones: pd.DataFrame) -> pd.DataFrame:
    """Brute force: test every reading against every zone polygon."""
    found = []
    for zone in zones.itertuples():
        mask = shapely.contains_xy(
            shapely.from_wkt(zone.wkt), readings.longitude, readings.latitude
        )
        found.append(readings[mask].assign(zone_id=zone.zone_id, zone_kind=zone.kind))
    return pd.concat(found, ignore_index=True)


def haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    lat1, lon1, lat2, lon2 = map(np.radians, (lat1, lon1, lat2, lon2))
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))


def keys(frame: pd.DataFrame) -> set[tuple]:
    return set(frame[KEY].itertuples(index=False, name=None))


def test_events_in_zones_are_the_event_readings_each_zone_polygon_contains(fleet) -> None:
    telemetry, zones, rows, zone_rows = fleet
    got = geo.events_in_zones(telemetry, zones).toPandas()
    expected = inside_zones(rows[rows.event_type != "system ok"], zone_rows)
    assert len(expected) > 50
    assert len(got) == len(expected)
    assert keys(got) == keys(expected)
    assert set(got.zone_kind) == set(expected.zone_kind)


def test_readings_on_and_beside_each_zone_bounding_box_edge_are_joined_as_brute_force_says(
    spark, fleet
) -> None:
    _, zones, _, zone_rows = fleet
    lon, lat = [], []
    for x0, y0, x1, y1 in (shapely.from_wkt(wkt).bounds for wkt in zone_rows.wkt):
        xs = (x0 - 1e-9, x0, x0 + 1e-9, (x0 + x1) / 2, x1 - 1e-9, x1, x1 + 1e-9)
        ys = (y0 - 1e-9, y0, y0 + 1e-9, (y0 + y1) / 2, y1 - 1e-9, y1, y1 + 1e-9)
        lon += [x for x in xs for _ in ys]
        lat += [y for _ in xs for y in ys]
    readings = pd.DataFrame(
        {
            "device_id": "device-edge",
            "manufacturer": "test",
            "event_ts": pd.Timestamp(SPEC.start),
            "latitude": lat,
            "longitude": lon,
            "event_type": "system ok",
        }
    )
    got = geo.readings_in_zones(spark.createDataFrame(readings), zones).toPandas()
    expected = inside_zones(readings, zone_rows)
    assert expected.zone_kind.nunique() == 3  # the box's inner edges reach into every zone kind
    place = ["longitude", "latitude", "zone_id"]
    assert sorted(got[place].itertuples(index=False)) == sorted(
        expected[place].itertuples(index=False)
    )


def test_readings_per_zone_and_event_type_match_a_brute_force_count(fleet) -> None:
    telemetry, zones, rows, zone_rows = fleet
    got = geo.event_counts_by_zone(telemetry, zones).toPandas()
    expected = inside_zones(rows, zone_rows).groupby(["zone_id", "event_type"]).size()
    assert got.set_index(["zone_id", "event_type"]).readings.to_dict() == expected.to_dict()
    assert got.readings.sum() > len(rows) / 2


def test_restricted_zone_violations_give_each_device_its_readings_first_and_last_time(
    fleet,
) -> None:
    telemetry, zones, rows, zone_rows = fleet
    got = geo.restricted_zone_violations(telemetry, zones).toPandas()
    inside = inside_zones(rows, zone_rows[zone_rows.kind == "restricted_area"])
    expected = inside.groupby(["device_id", "zone_id"]).event_ts.agg(["size", "min", "max"])
    assert len(expected) >= 2
    got = got.set_index(["device_id", "zone_id"]).sort_index()
    assert got.readings.to_dict() == expected["size"].to_dict()
    assert (got.first_seen == expected["min"]).all() and (got.last_seen == expected["max"]).all()


def test_devices_near_depots_are_those_within_the_radius_by_great_circle_distance(fleet) -> None:
    telemetry, zones, rows, zone_rows = fleet
    at = pd.Timestamp(SPEC.start + timedelta(hours=12)).tz_localize(None)
    within_km = 15.0
    got = geo.devices_near_depots(telemetry, zones, within_km, SPEC.start + timedelta(hours=12))
    got = got.toPandas().set_index(["device_id", "depot_id"]).distance_km

    latest = rows[rows.event_ts <= at].sort_values("event_ts").groupby("device_id").last()
    depots = zone_rows[zone_rows.kind == "depot"]
    pairs = latest.reset_index().merge(depots, how="cross")
    pairs["km"] = haversine_km(
        pairs.latitude, pairs.longitude, pairs.center_latitude, pairs.center_longitude
    )
    near = pairs[pairs.km <= within_km].set_index(["device_id", "zone_id"]).km
    assert 0 < len(near) < len(latest), "the radius should split the fleet"
    assert sorted(got.index) == sorted(near.index)
    np.testing.assert_allclose(got.sort_index(), near.sort_index(), rtol=1e-5)
    assert (latest.event_ts == at).all()


def test_nearest_depot_of_each_event_is_the_closest_by_great_circle_distance(fleet) -> None:
    telemetry, zones, rows, zone_rows = fleet
    got = geo.nearest_depot(telemetry, zones).toPandas()
    events = rows[rows.event_type != "system ok"]
    assert len(got) == len(events) and not got.duplicated(["device_id", "event_ts"]).any()

    depots = zone_rows[zone_rows.kind == "depot"].reset_index(drop=True)
    merged = got.merge(events[["device_id", "event_ts"]], on=["device_id", "event_ts"])
    km = np.column_stack(
        [
            haversine_km(merged.latitude, merged.longitude, d.center_latitude, d.center_longitude)
            for d in depots.itertuples()
        ]
    )
    nearest = depots.zone_id.to_numpy()[km.argmin(axis=1)]
    ordered = np.sort(km, axis=1)
    clear = ordered[:, 1] - ordered[:, 0] > 0.01 * ordered[:, 1]  # no near-tie between two depots
    assert clear.mean() > 0.9
    assert (merged.depot_id.to_numpy()[clear] == nearest[clear]).all()
    np.testing.assert_allclose(merged.distance_km, ordered[:, 0], rtol=0.01)
    chosen = km[np.arange(len(km)), depots.zone_id.searchsorted(merged.depot_id)]
    np.testing.assert_allclose(merged.distance_km, chosen, rtol=1e-5)


def test_a_depot_radius_must_be_positive(fleet) -> None:
    telemetry, zones, *_ = fleet
    with pytest.raises(ValueError, match="within_km must be > 0"):
        geo.devices_near_depots(telemetry, zones, 0)


def test_answers_are_saved_as_one_csv_each(tmp_path: Path) -> None:
    answers = {
        "nearest_depot": pd.DataFrame({"device_id": ["device-0001"] * 3, "distance_km": [1.0] * 3}),
        "event_counts_by_zone": pd.DataFrame({"zone_id": ["depot-1"], "readings": [7]}),
    }
    paths = geo.save_answers(answers, tmp_path / "geo")
    assert [p.name for p in paths] == ["nearest_depot.csv", "event_counts_by_zone.csv"]
    assert pd.read_csv(paths[0]).equals(answers["nearest_depot"])


def test_restricted_zone_entries_are_the_visits_a_brute_force_finds(fleet) -> None:
    telemetry, zones, rows, zone_rows = fleet
    got = geo.restricted_zone_entries(telemetry, zones, gap_minutes=5).toPandas()
    inside = inside_zones(rows, zone_rows[zone_rows.kind == "restricted_area"])
    inside = inside.sort_values(["device_id", "zone_id", "event_ts"])
    gap = inside.groupby(["device_id", "zone_id"]).event_ts.diff()
    inside["visit"] = (gap.isna() | (gap > pd.Timedelta(minutes=5))).cumsum()
    visits = inside.groupby("visit").agg(
        device_id=("device_id", "first"), zone_id=("zone_id", "first"),
        entered_at=("event_ts", "min"), left_at=("event_ts", "max"),
        readings=("event_ts", "size"), latitude=("latitude", "first"),
    )  # fmt: skip
    assert len(got) == len(visits) > 0
    key = ["device_id", "zone_id", "entered_at"]
    merged = got.merge(visits, on=key, suffixes=("", "_expected"))
    assert len(merged) == len(visits)
    assert (merged.left_at == merged.left_at_expected).all()
    assert (merged.readings == merged.readings_expected).all()
    assert (merged.latitude == merged.latitude_expected).all()


def test_an_empty_selection_or_a_time_before_every_reading_is_refused_in_one_line() -> None:
    empty = pd.DataFrame({"readings": [0], "first_reading": [pd.NaT]})
    with pytest.raises(ValueError, match=r"^no telemetry for day 2026-01-05 and devices a, b: "):
        geo.check_selection(empty, ["a", "b"], pd.Timestamp("2026-01-05").date())
    some = pd.DataFrame({"readings": [10], "first_reading": [pd.Timestamp("2026-01-05 00:00")]})
    early = pd.Timestamp("2026-01-04 23:00", tz="UTC").to_pydatetime()
    with pytest.raises(ValueError, match="the first reading is at 2026-01-05 00:00 UTC"):
        geo.check_selection(some, at=early)
    geo.check_selection(some, at=early + timedelta(hours=2))
