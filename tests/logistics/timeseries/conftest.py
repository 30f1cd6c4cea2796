"""A small simulated fleet (4 devices x 1 day) shared by the time-series tests.

Why simulator data: the injected motifs and anomalies are the ground truth the models are scored
against, and the same frames can be handed to STUMPY directly as the reference.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pytest
from logistics.fleet import FleetSpec, injected_events, simulate_device
from logistics.timeseries.series import FleetSeries

SPEC = FleetSpec(devices=4, days=1, seed=3)


@dataclass(frozen=True)
class SmallFleet:
    spec: FleetSpec
    telemetry: pd.DataFrame
    events: pd.DataFrame
    series: FleetSeries


@pytest.fixture(scope="session")
def small_fleet() -> SmallFleet:
    telemetry = pd.concat(
        [simulate_device(SPEC, i) for i in range(SPEC.devices)], ignore_index=True
    )
    return SmallFleet(SPEC, telemetry, injected_events(SPEC), FleetSeries.from_pandas(telemetry))


@pytest.fixture(scope="session")
def stumpy_cached():
    """STUMPY with numba's disk cache on (NUMBA_CACHE_DIR): compiled once per test run."""
    from logistics.timeseries.numba_cache import enable_stumpy_cache

    enable_stumpy_cache()
    import stumpy

    return stumpy


@pytest.fixture(scope="session")
def compiled_models(small_fleet) -> None:
    """Train one device in this process first, so numba's disk cache is filled before Spark's
    Python workers need the same kernels (they then load instead of compiling)."""
    from logistics.timeseries.device_models import TrainingParams, device_findings

    first = small_fleet.telemetry[small_fleet.telemetry.device_id == "device-0001"]
    device_findings(first, TrainingParams())
