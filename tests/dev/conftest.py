"""Fixtures for the numbered DEV scripts, which run as subprocesses against the test LAB_HOME."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from logistics.datagen import WriteMode, write_fleet
from logistics.fleet import FleetSpec

DEV = Path(__file__).resolve().parents[2] / "dev"


@pytest.fixture(scope="session")
def fleet_tables(spark) -> FleetSpec:
    """A small fleet (3 trucks × 2 days) in the lab tables, for the scripts that read them.

    Written once per run with the shared Spark session; the scripts read it through the catalog.
    """
    spec = FleetSpec(devices=3, days=2, seed=17)
    write_fleet(spark, spec, WriteMode.REPLACE)
    return spec


def _run_dev_script(
    name: str, *flags: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(DEV / name), *flags],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture()
def run_dev_script() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``dev/<name> *flags`` as a job would: this interpreter, the test LAB_HOME."""
    return _run_dev_script
