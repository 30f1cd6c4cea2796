"""dev/00_datagen.py as a user runs it: bad flags refused, a killed run loses nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from logistics.datagen import WriteMode, write_fleet
from logistics.fleet import FleetSpec
from logistics.lakehouse import load_table

SCRIPT = Path(__file__).resolve().parents[2] / "dev" / "00_datagen.py"


def run_script(*flags: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *flags],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize(
    ("flags", "named"),
    [
        (["--devices", "0"], "--devices"),
        (["--days", "-2"], "--days"),
        (["--mode", "upsert"], "--mode"),
        (["--devices", "many"], "--devices"),
    ],
)
def test_invalid_flags_end_in_one_line_and_exit_2(flags: list[str], named: str) -> None:
    result = run_script(*flags)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and named in lines[0] and lines[0].startswith("error:")


def test_a_datagen_killed_midway_leaves_the_previous_snapshot_readable(spark) -> None:
    write_fleet(spark, FleetSpec(devices=2, days=1, seed=5), WriteMode.REPLACE)
    before = load_table("fleet_telemetry").current_snapshot().snapshot_id
    proc = subprocess.Popen(
        [sys.executable, str(SCRIPT), "--devices", "400", "--days", "7", "--mode", "append"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        stdin=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        for line in proc.stdout:  # wait until the write job is running
            if "simulating" in line or time.monotonic() > deadline:
                break
        time.sleep(3)
        assert proc.poll() is None, "datagen finished before it could be interrupted"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    table = load_table("fleet_telemetry")
    assert table.current_snapshot().snapshot_id == before
    assert len(table.scan().to_arrow()) == 2 * 1440
