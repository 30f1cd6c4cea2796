"""The 01B report as a user opens it: one file, in headless Chromium, with the network cut.

Its input frames are answered here by brute force (shapely, haversine) on a simulated fleet, with
the columns Sedona's answers have (tests/logistics/test_geo.py checks Sedona against the same brute
force), so the page is checked without starting Spark.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from logistics.fleet import FleetSpec, simulate_device, zones_frame
from logistics.maps.geo_report import ReportOptions, save_geo_report

pytestmark = pytest.mark.browser

WITHIN_KM = 8.0
SECTIONS = ["events-per-zone", "near-depots", "violations", "nearest-depot"]
DRAWN = """() => {
  const count = (selector) => document.querySelectorAll(selector).length;
  const maps = [...document.querySelectorAll('.folium-map')];
  return {
    sections: [...document.querySelectorAll('section')].map((s) => s.id),
    titles: [...document.querySelectorAll('section h2')].map((h) => h.innerText),
    maps: maps.length,
    basemaps: maps.filter((m) => m.querySelectorAll('.leaflet-basemap-pane path').length > 5)
      .length,
    choropleth: count('path.lab-choropleth'),
    choropleth_fills: new Set([...document.querySelectorAll('path.lab-choropleth')]
      .map((p) => p.getAttribute('fill'))).size,
    near: count('path.lab-near-device'),
    violations: count('path.lab-violation'),
    knn: count('path.lab-knn'),
    tables: [...document.querySelectorAll('table.lab-table')].map((t) => t.id),
    summary: document.querySelector('#table-summary tbody').innerText,
  };
}"""


def haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    lat1, lon1, lat2, lon2 = map(np.radians, (lat1, lon1, lat2, lon2))
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * np.arcsin(np.sqrt(a))


def brute_force_answers(rows: pd.DataFrame, zones: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The answers of ``logistics.geo.fleet_geo_answers`` (as pandas), point by point."""
    inside = pd.concat(
        [
            rows[
                shapely.contains_xy(shapely.from_wkt(z.wkt), rows.longitude, rows.latitude)
            ].assign(zone_id=z.zone_id, zone_name=z.name, zone_kind=z.kind)
            for z in zones.itertuples()
        ]
    )
    counts = (
        inside.groupby(["zone_id", "zone_name", "zone_kind", "event_type"])
        .size()
        .rename("readings")
        .reset_index()
    )
    depots = zones[zones.kind == "depot"].reset_index(drop=True)

    def nearest(points: pd.DataFrame) -> pd.DataFrame:
        km = haversine_km(
            points.latitude.to_numpy()[:, None], points.longitude.to_numpy()[:, None],
            depots.center_latitude.to_numpy(), depots.center_longitude.to_numpy(),
        )  # fmt: skip
        best = km.argmin(axis=1)
        return points.assign(
            depot_id=depots.zone_id[best].to_numpy(),
            depot_name=depots.name[best].to_numpy(),
            distance_km=km[np.arange(len(km)), best],
        )

    last = nearest(rows.sort_values("event_ts").groupby("device_id").tail(1))
    restricted = inside[inside.zone_kind == "restricted_area"].sort_values(
        ["device_id", "zone_id", "event_ts"]
    )
    gap = restricted.groupby(["device_id", "zone_id"]).event_ts.diff()
    visit = (gap.isna() | (gap > pd.Timedelta(minutes=5))).cumsum()
    entries = restricted.groupby(visit).agg(
        device_id=("device_id", "first"), zone_id=("zone_id", "first"),
        zone_name=("zone_name", "first"), entered_at=("event_ts", "min"),
        left_at=("event_ts", "max"), readings=("event_ts", "size"),
        latitude=("latitude", "first"), longitude=("longitude", "first"),
    )  # fmt: skip
    events = rows[rows.event_type != "system ok"]
    summary = pd.DataFrame(
        {
            "readings": [len(rows)], "devices": [rows.device_id.nunique()],
            "events": [len(events)], "first_reading": [rows.event_ts.min()],
            "last_reading": [rows.event_ts.max()],
        }
    )  # fmt: skip
    return {
        "fleet_summary": summary,
        "event_counts_by_zone": counts,
        "devices_near_depots": last[last.distance_km <= WITHIN_KM],
        "nearest_depot": nearest(events),
        "restricted_zone_entries": entries,
    }


@pytest.fixture(scope="module")
def answers() -> dict[str, pd.DataFrame]:
    spec = FleetSpec(devices=6, days=1, seed=5)
    rows = pd.concat([simulate_device(spec, i) for i in range(spec.devices)], ignore_index=True)
    return brute_force_answers(rows, zones_frame())


@pytest.fixture(scope="module")
def report(answers, tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("geo") / "geospatial_analysis.html"
    options = ReportOptions(max_lines=150, assets="inline")
    return save_geo_report(answers, zones_frame(), output, WITHIN_KM, options=options)


def test_the_report_is_one_file_with_its_sections_maps_and_tables(open_offline, report, answers):
    page = open_offline(report, wait_for=".leaflet-basemap-pane path")
    drawn = page.evaluate(DRAWN)
    remote = [url for url in page.requests if not url.startswith("file:")]
    assert all(url.startswith("https://tile.openstreetmap.org/") for url in remote)
    assert all(e.startswith("Failed to load resource") for e in page.errors), page.errors
    assert drawn["sections"] == SECTIONS
    assert drawn["maps"] == drawn["basemaps"] == 4
    assert (
        drawn["titles"][1] == f"Devices within {WITHIN_KM:g} km of a depot at their latest reading"
    )
    zones = zones_frame()
    assert drawn["choropleth"] == len(zones) and drawn["choropleth_fills"] > 3
    assert drawn["near"] == len(answers["devices_near_depots"]) > 0
    entries = answers["restricted_zone_entries"]
    assert drawn["violations"] == min(len(entries), 150) and len(entries) > 0
    assert drawn["knn"] == 150 < len(answers["nearest_depot"])
    assert drawn["tables"] == [
        "table-summary", "table-events-per-zone", "table-near-depots", "table-violations",
        "table-nearest-depot",
    ]  # fmt: skip
    readings = int(answers["fleet_summary"].readings.iloc[0])
    assert drawn["summary"].split("\t")[0] == f"{readings:,}"
