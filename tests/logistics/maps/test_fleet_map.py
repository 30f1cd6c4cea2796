"""The fleet map as a user sees it: opened in headless Chromium, with no network at all.

Why a real browser: Folium only writes JavaScript; whether markers, routes and zones appear is
decided by Leaflet at runtime. Counting the drawn SVG paths and cluster icons in Leaflet's panes
is the only check that the page works, and blocking every request proves it works offline.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from logistics.fleet import FleetSpec, simulate_device, zones_frame
from logistics.maps import MapOptions, save_fleet_map
from logistics.maps.layers import select_event_markers

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
DRAWN = """() => {
  const count = (selector) => document.querySelectorAll(selector).length;
  const drawn = (selector) => [...document.querySelectorAll(selector)]
      .filter((p) => (p.getAttribute('d') || '').length > 10).length;
  const clusters = [...document.querySelectorAll('.leaflet-marker-pane .marker-cluster')];
  return {
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
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    assert executable, "Debian's chromium is missing: run `bash bin/install-chromium`"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser, offline_map: Path):
    """The map loaded with the network cut: every request is recorded, and refused unless local."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.requests, page.errors = [], []
    page.on("request", lambda request: page.requests.append(request.url))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("console", lambda msg: msg.type == "error" and page.errors.append(msg.text))
    context.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort(),
    )
    page.goto(offline_map.as_uri())
    page.wait_for_selector(".leaflet-marker-pane .marker-cluster, path.lab-event", timeout=20_000)
    yield page
    context.close()


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
    assert drawn["overlays"] == ["Zones", "Trajectories", "Event heat", "Events"]


def test_an_event_popup_shows_device_manufacturer_signals_and_time(
    page, telemetry: pd.DataFrame
) -> None:
    text = page.evaluate(OPEN_A_POPUP)
    device = text.split()[0]
    assert device in set(telemetry.device_id)
    manufacturer = telemetry.loc[telemetry.device_id == device, "manufacturer"].iloc[0]
    assert manufacturer in text and "system malfunction" in text
    assert all(f"iot_signal_{i}" in text for i in range(1, 5)) and " UTC" in text
