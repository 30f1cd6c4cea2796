"""The fleet map as a user sees it: opened in headless Chromium, with no network at all.

Why a real browser: Folium only writes JavaScript; whether markers, routes and zones appear is
decided by Leaflet at runtime. Counting the drawn SVG paths and cluster icons in Leaflet's panes
is the only check that the page works, and blocking every request proves it works offline — with
tiles left out (no request at all) and with them (only tile requests, refused, and the basemap
still drawn).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from logistics.fleet import FleetSpec, simulate_device, zones_frame
from logistics.maps import MapOptions, save_fleet_map
from logistics.maps.basemap import region_boundaries, region_places
from logistics.maps.fleet_map import PLACE_LABEL_ZOOM
from logistics.maps.layers import select_event_markers

pytestmark = pytest.mark.browser

DRAWN = """() => {
  const count = (selector) => document.querySelectorAll(selector).length;
  const drawn = (selector) => [...document.querySelectorAll(selector)]
      .filter((p) => (p.getAttribute('d') || '').length > 10).length;
  const clusters = [...document.querySelectorAll('.leaflet-marker-pane .marker-cluster')];
  return {
    basemap: count('.leaflet-basemap-pane path:not(.lab-basemap-place)'),
    towns: count('.leaflet-basemap-pane path.lab-basemap-place'),
    town_labels: [...document.querySelectorAll('.lab-place-label')]
      .filter((l) => getComputedStyle(l).display !== 'none').map((l) => l.innerText),
    credit: document.querySelector('.leaflet-control-attribution').innerText,
    counties: count('.leaflet-basemap-pane path.lab-basemap-county'),
    counties_in_view: drawn('.leaflet-basemap-pane path.lab-basemap-county'),
    county_labels: [...document.querySelectorAll('.lab-basemap-label')].map((l) => l.innerText),
    positions: drawn('.leaflet-overlay-pane path.lab-position'),
    slider_date: document.querySelector('.timecontrol-date').innerText,
    zones: drawn('.leaflet-overlay-pane path.lab-zone'),
    restricted: drawn('.leaflet-overlay-pane path.lab-zone-restricted_area'),
    routes: drawn('.leaflet-overlay-pane path.lab-trajectory'),
    single_events: drawn('.leaflet-overlay-pane path.lab-event'),
    clusters: clusters.length,
    clustered_events: clusters.reduce((n, c) => n + Number(c.innerText), 0),
    heat_layers: count('canvas.leaflet-heatmap-layer'),
    overlays: [...document.querySelectorAll('.leaflet-control-layers-overlays label')]
      .map((label) => label.innerText.trim()),
  };
}"""
OPEN_A_POPUP = """async () => {
  const name = Object.keys(window).find((key) => key.startsWith('marker_cluster_'));
  const cluster = window[name];
  const marker = cluster.getLayers().find((m) => m.options.color === '#c62828');
  await new Promise((done) => cluster.zoomToShowLayer(marker, done));
  marker.openPopup();
  return document.querySelector('.leaflet-popup-content').innerText;
}"""


@pytest.fixture(scope="module")
def telemetry() -> pd.DataFrame:
    spec = FleetSpec(devices=5, days=1, seed=12)
    return pd.concat([simulate_device(spec, i) for i in range(spec.devices)], ignore_index=True)


@pytest.fixture(scope="module")
def offline_map(telemetry: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("maps") / "fleet_map.html"
    return save_fleet_map(telemetry, zones_frame(), output, MapOptions(tiles=None, assets="inline"))


@pytest.fixture(scope="module")
def tiled_map(telemetry: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("maps") / "fleet_map_tiles.html"
    return save_fleet_map(telemetry, zones_frame(), output, MapOptions(assets="inline"))


@pytest.fixture()
def page(open_offline, offline_map: Path):
    return open_offline(offline_map)


def test_the_offline_map_loads_without_any_network_request(page, offline_map: Path) -> None:
    assert page.requests == [offline_map.as_uri()]
    assert page.errors == []


def test_zones_routes_markers_and_heat_are_drawn(page, telemetry: pd.DataFrame) -> None:
    drawn = page.evaluate(DRAWN)
    zones = zones_frame()
    assert drawn["zones"] == len(zones)
    assert drawn["restricted"] == (zones.kind == "restricted_area").sum()
    assert drawn["routes"] == telemetry.device_id.nunique()
    expected_markers = len(select_event_markers(telemetry))
    assert expected_markers > 20 and drawn["clusters"] > 0
    assert drawn["clustered_events"] + drawn["single_events"] == expected_markers
    assert drawn["heat_layers"] == 1
    makers = telemetry.groupby("manufacturer").device_id.nunique()
    groups = [f"Trajectories: {maker} ({n})" for maker, n in makers.items()]
    assert drawn["overlays"] == ["Zones", *groups, "Event heat", "Events"]


def test_the_basemap_draws_the_region_counties_with_their_names(page) -> None:
    drawn = page.evaluate(DRAWN)
    features = region_boundaries()["features"]
    counties = [f["properties"]["name"] for f in features if f["properties"]["layer"] == "counties"]
    assert drawn["basemap"] == len(features) and drawn["counties"] == len(counties)
    assert drawn["counties_in_view"] >= 5
    assert {"Alameda", "Santa Clara", "San Mateo"} <= set(drawn["county_labels"])


def test_towns_are_dots_whose_names_show_once_zoomed_in(page) -> None:
    drawn = page.evaluate(DRAWN)
    assert drawn["towns"] == len(region_places()["features"])
    assert drawn["town_labels"] == []  # at the fleet's zoom 300 names would hide the routes
    assert "GeoNames (CC BY 4.0)" in drawn["credit"] and "U.S. Census Bureau" in drawn["credit"]
    page.evaluate(
        "(zoom) => { const name = Object.keys(window).find((k) => k.startsWith('map_'));"
        " window[name].setView([37.55, -121.98], zoom, {animate: false}); }",
        PLACE_LABEL_ZOOM,
    )
    page.wait_for_function("document.querySelector('.lab-zoomed-in') !== null")
    assert "Fremont" in page.evaluate(DRAWN)["town_labels"]


def test_the_time_slider_moves_every_truck_one_step_at_a_time(
    page, telemetry: pd.DataFrame
) -> None:
    drawn = page.evaluate(DRAWN)
    start = telemetry.event_ts.min().floor("15min")
    assert drawn["slider_date"] == f"{start:%Y-%m-%d %H:%M} UTC"
    assert drawn["positions"] == telemetry.device_id.nunique()
    page.click(".timecontrol-forward")
    page.wait_for_function(
        "(before) => document.querySelector('.timecontrol-date').innerText !== before",
        arg=drawn["slider_date"],
    )
    moved = page.evaluate(DRAWN)
    assert moved["slider_date"] > drawn["slider_date"]
    assert moved["positions"] == telemetry.device_id.nunique()


def test_offline_with_tiles_only_tile_requests_fail_and_the_basemap_still_shows(
    open_offline, tiled_map: Path
) -> None:
    page = open_offline(tiled_map)
    drawn = page.evaluate(DRAWN)
    remote = [url for url in page.requests if not url.startswith("file:")]
    assert remote and all(url.startswith("https://tile.openstreetmap.org/") for url in remote)
    assert all(e.startswith("Failed to load resource") for e in page.errors), page.errors
    assert drawn["basemap"] == len(region_boundaries()["features"])
    assert drawn["overlays"][0] == "OpenStreetMap"


def test_an_event_popup_shows_device_manufacturer_signals_and_time(
    page, telemetry: pd.DataFrame
) -> None:
    text = page.evaluate(OPEN_A_POPUP)
    device = text.split()[0]
    assert device in set(telemetry.device_id)
    manufacturer = telemetry.loc[telemetry.device_id == device, "manufacturer"].iloc[0]
    assert manufacturer in text and "system malfunction" in text
    assert all(f"iot_signal_{i}" in text for i in range(1, 5)) and " UTC" in text
