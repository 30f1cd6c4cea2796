"""dev/01A_map_viz.py as a user runs it: filters by device and day, writes one offline page."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

SCRIPT = "01A_map_viz.py"


def test_a_map_of_two_devices_on_one_day_is_saved_and_its_path_printed(
    fleet_tables, run_dev_script, tmp_path: Path
) -> None:
    day = (fleet_tables.start + timedelta(days=1)).date()
    output = tmp_path / "two_trucks.html"
    result = run_dev_script(
        SCRIPT, "--devices", "device-0001,device-0003", "--day", day.isoformat(),
        "--no-tiles", "--assets", "inline", "--output", str(output),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "2,880 readings of 2 devices, 15 zones"
    assert lines[-1] == f"map saved: {output}"

    page = output.read_text()
    assert len(re.findall(r'"className": "lab-trajectory"', page)) == 2
    assert "device-0001" in page and "device-0003" in page and "device-0002" not in page
    popup_days = set(re.findall(r"(\d{4}-\d{2}-\d{2}) \d{2}:\d{2} UTC", page))
    assert popup_days == {day.isoformat()}
    assert re.search(r'<script src="https?://', page) is None


def test_without_tables_the_script_says_to_run_00_first(run_dev_script, tmp_path: Path) -> None:
    result = run_dev_script(SCRIPT, env={**os.environ, "LAB_HOME": str(tmp_path)})
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "run `python dev/00_datagen.py` first" in lines[0]
    assert not (tmp_path / "reports" / "fleet_map.html").exists()


def test_an_invalid_day_is_refused_in_one_line(run_dev_script) -> None:
    result = run_dev_script(SCRIPT, "--day", "2026-13-01")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and "--day" in lines[0]


def test_a_device_without_readings_is_refused_in_one_line(
    fleet_tables, run_dev_script, tmp_path: Path
) -> None:
    output = tmp_path / "nobody.html"
    result = run_dev_script(SCRIPT, "--devices", "device-9999", "--output", str(output))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines == ["error: no telemetry for devices device-9999"]
    assert not output.exists()
