"""What people open: the fleet map's and the 01B report's file sizes and load times in Chromium.

Builds the 01A map of a simulated fleet twice in the same run — as it is (offline basemap,
trajectory layers per manufacturer, time slider) and without the basemap and the slider (the map
as it was before them) — writes both as self-contained pages, and opens each in headless
Chromium with the network cut, timing navigation until Leaflet has drawn the routes (median of
``--rounds``). A 01B report (``--report``, default LAB_HOME/reports/geo/geospatial_analysis.html
when it exists) is measured the same way, until its four maps have drawn their basemaps.

    python bench/bench_maps.py --devices 50 --days 1 --rounds 3
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd
from logistics.fleet import FleetSpec, simulate_device, zones_frame
from logistics.maps import MapOptions, save_fleet_map
from logistics.settings import get_settings

MAP_DRAWN = "document.querySelectorAll('path.lab-trajectory').length >= {n}"
REPORT_DRAWN = (
    "[...document.querySelectorAll('.folium-map')].filter("
    "(m) => m.querySelector('.leaflet-basemap-pane path')).length === 4"
)


def load_seconds(browser, path: Path, drawn: str, rounds: int) -> float:
    """Median seconds from navigation to ``drawn`` being true, offline, a fresh context each."""
    times = []
    for _ in range(rounds):
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        context.route(
            "**/*",
            lambda route: (
                route.continue_() if route.request.url.startswith("file:") else route.abort()
            ),
        )
        page = context.new_page()
        started = time.perf_counter()
        page.goto(path.as_uri())
        page.wait_for_function(drawn, timeout=60_000)
        times.append(time.perf_counter() - started)
        context.close()
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=50)
    parser.add_argument("--days", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--report", type=Path, default=None)
    args = parser.parse_args()

    spec = FleetSpec(devices=args.devices, days=args.days, seed=3)
    telemetry = pd.concat(
        [simulate_device(spec, i) for i in range(spec.devices)], ignore_index=True
    )
    zones = zones_frame()
    print(f"fleet: {args.devices} devices × {args.days} days, {len(telemetry):,} readings")
    folder = Path(tempfile.mkdtemp(prefix="bench-maps-"))
    variants = {
        "before (no basemap, no slider)": MapOptions(basemap=False, max_positions=0),
        "now (basemap, layers, slider)": MapOptions(),
    }
    pages = {}
    for name, options in variants.items():
        started = time.perf_counter()
        options = MapOptions(**{**options.__dict__, "assets": "inline"})
        pages[name] = save_fleet_map(telemetry, zones, folder / f"{len(pages)}.html", options)
        print(f"  built {name} in {time.perf_counter() - started:.2f} s")

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium"), args=["--headless", "--no-sandbox"]
        )
        results = {
            name: (
                path.stat().st_size,
                load_seconds(browser, path, MAP_DRAWN.format(n=1), args.rounds),
            )
            for name, path in pages.items()
        }
        report = args.report or get_settings().reports_dir / "geo" / "geospatial_analysis.html"
        report_result = (
            (report.stat().st_size, load_seconds(browser, report, REPORT_DRAWN, args.rounds))
            if report.is_file()
            else None
        )
        browser.close()

    (before_size, before_s), (now_size, now_s) = results.values()
    print(f"{'page':46} {'size MB':>8} {'load s':>7}")
    for name, (size, seconds) in results.items():
        print(f"{'fleet map, ' + name:46} {size / 1e6:8.2f} {seconds:7.2f}")
    print(f"ratio now/before: size {now_size / before_size:.2f}×, load {now_s / before_s:.2f}×")
    if report_result:
        size, seconds = report_result
        print(f"{'01B report (' + report.name + ')':46} {size / 1e6:8.2f} {seconds:7.2f}")
    else:
        print(f"no 01B report at {report}: run dev/01B_geospatial_analysis.py or pass --report")
    shutil.rmtree(folder)


if __name__ == "__main__":
    main()
