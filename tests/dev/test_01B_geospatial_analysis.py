"""dev/01B_geospatial_analysis.py as a job: Sedona in its own Spark session, answers saved as files.

The answers themselves are checked in tests/logistics/test_geo.py; here the script's wiring is:
flags reach the queries, every answer is saved, and the saved counts match a brute force over the
rows the script read.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from logistics.lakehouse import read_arrow

SCRIPT = "01B_geospatial_analysis.py"
ANSWERS = (
    "events_in_zones", "event_counts_by_zone", "devices_near_depots", "nearest_depot",
    "restricted_zone_violations", "restricted_zone_entries",
)  # fmt: skip


def km_to_nearest_depot(rows: pd.DataFrame, zones: pd.DataFrame) -> pd.Series:
    """Great-circle km from each reading to its nearest depot centre (haversine brute force)."""
    depots = zones[zones.kind == "depot"]
    lat, lon = (
        np.radians(rows.latitude.to_numpy())[:, None],
        np.radians(rows.longitude.to_numpy())[:, None],
    )
    dlat, dlon = (
        np.radians(depots.center_latitude.to_numpy()),
        np.radians(depots.center_longitude.to_numpy()),
    )
    a = np.sin((dlat - lat) / 2) ** 2 + np.cos(lat) * np.cos(dlat) * np.sin((dlon - lon) / 2) ** 2
    return pd.Series(2 * 6371.0088 * np.arcsin(np.sqrt(a)).min(axis=1), index=rows.device_id)


def test_the_script_answers_every_question_and_saves_csvs_and_a_page(
    fleet_tables, run_dev_script, tmp_path: Path
) -> None:
    rows = read_arrow("fleet_telemetry").to_pandas()
    zones = read_arrow("zones").to_pandas()
    at = fleet_tables.start + timedelta(hours=12)
    distances = km_to_nearest_depot(rows[rows.event_ts == at], zones).sort_values()
    within_km = float(distances.iloc[:2].max() + distances.iloc[2]) / 2  # two trucks in, one out

    env = {**os.environ, "LAB_SPARK_DRIVER_MEMORY": "1g"}
    result = run_dev_script(
        SCRIPT, "--within-km", f"{within_km:.3f}", "--at", at.isoformat(),
        "--output-dir", str(tmp_path), "--assets", "inline", env=env, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    saved = [
        Path(line.removeprefix("saved: "))
        for line in result.stdout.splitlines()
        if line.startswith("saved: ")
    ]
    assert saved == [tmp_path / f"{name}.csv" for name in ANSWERS] + [
        tmp_path / "geospatial_analysis.html"
    ]
    assert all(path.stat().st_size > 0 for path in saved)
    assert "readings per zone and event type" in result.stdout

    expected = {}
    for zone in zones.itertuples():
        inside = shapely.contains_xy(shapely.from_wkt(zone.wkt), rows.longitude, rows.latitude)
        for event_type, n in rows[inside].event_type.value_counts().items():
            expected[(zone.zone_id, event_type)] = n
    counts = pd.read_csv(tmp_path / "event_counts_by_zone.csv")
    assert counts.set_index(["zone_id", "event_type"]).readings.to_dict() == expected

    near = pd.read_csv(tmp_path / "devices_near_depots.csv", parse_dates=["event_ts"])
    assert set(near.device_id) == set(distances.index[:2])
    assert (near.event_ts == pd.Timestamp(at).tz_localize(None)).all()

    page = (tmp_path / "geospatial_analysis.html").read_text()
    for section in ("events-per-zone", "near-depots", "violations", "nearest-depot"):
        assert f'<section id="{section}">' in page
    assert f"Devices within {float(f'{within_km:.3f}'):g} km of a depot at 2" in page
    assert re.search(r'<script src="https?://', page) is None  # opens offline, from the file


def test_a_day_without_readings_is_refused_in_one_line_and_nothing_is_saved(
    fleet_tables, run_dev_script, tmp_path: Path
) -> None:
    day = (fleet_tables.start - timedelta(days=30)).date()
    env = {**os.environ, "LAB_SPARK_DRIVER_MEMORY": "1g"}
    result = run_dev_script(
        SCRIPT, "--day", day.isoformat(), "--output-dir", str(tmp_path), env=env, timeout=300
    )
    assert result.returncode == 1, result.stderr[-2000:]
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        f"error: no telemetry for day {day}: choose a day or devices that have readings"
    ]
    assert list(tmp_path.iterdir()) == []


def test_a_non_positive_radius_is_refused_in_one_line(run_dev_script) -> None:
    result = run_dev_script(SCRIPT, "--within-km", "0")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and "--within-km" in lines[0]
