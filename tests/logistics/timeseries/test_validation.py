"""Bad input is refused with a ValueError naming the field; constant data never yields NaN."""

from __future__ import annotations

import math

import numpy as np
import pytest
from logistics.timeseries.pattern_search import PatternIndex
from logistics.timeseries.profiles import matrix_profile
from logistics.timeseries.series import FleetSeries
from logistics.timeseries.validation import signal_name


@pytest.fixture(scope="module")
def index(small_fleet) -> PatternIndex:
    return PatternIndex(small_fleet.series)


def test_signal_names_are_the_simulators(small_fleet) -> None:
    simulated = [c for c in small_fleet.telemetry.columns if c.startswith("iot_signal")]
    assert [signal_name(c) for c in simulated] == simulated
    with pytest.raises(ValueError, match="signal must be one of"):
        signal_name("speed_kmh")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"pattern": [1.0, 2.0]}, "pattern"),
        ({"pattern": [1.0] * 2000}, "pattern"),
        ({"pattern": [1.0, float("nan"), 2.0]}, "pattern[1]"),
        ({"pattern": [1.0, 2.0, float("inf")]}, "pattern[2]"),
        ({"pattern": [1.0, "2", 3.0]}, "pattern[1]"),
        ({"pattern": [1.0, True, 3.0]}, "pattern[1]"),
        ({"pattern": "54,53,52"}, "pattern"),
        ({"pattern": None}, "pattern"),
        ({"pattern": [54, 53, 52], "signal": "iot_signal_9"}, "signal"),
        ({"pattern": [54, 53, 52], "device_id": "device-9999"}, "device_id"),
        ({"pattern": [54, 53, 52], "k": 0}, "k"),
        ({"pattern": [54, 53, 52], "k": -3}, "k"),
        ({"pattern": [54, 53, 52], "k": 2.5}, "k"),
        ({"pattern": [54, 53, 52], "max_distance": -1.0}, "max_distance"),
    ],
)
def test_bad_search_input_names_the_field(index, kwargs, field) -> None:
    pattern = kwargs.pop("pattern")
    with pytest.raises(ValueError, match=field.replace("[", r"\[").replace("]", r"\]")):
        index.search(pattern, **kwargs)


def test_pattern_longer_than_one_devices_series_is_refused(small_fleet) -> None:
    short = small_fleet.telemetry.groupby("device_id").head(50)
    index = PatternIndex(FleetSeries.from_pandas(short))
    with pytest.raises(ValueError, match=r"pattern .*longer than device-0001's series"):
        index.search(list(range(60)), device_id="device-0001")


def test_window_larger_than_the_series_names_m() -> None:
    with pytest.raises(ValueError, match=r"^m \(40 points\) is longer"):
        matrix_profile(np.arange(30.0), 40)


def test_constant_windows_and_constant_patterns_give_finite_distances(small_fleet) -> None:
    telemetry = small_fleet.telemetry.copy()
    telemetry.loc[telemetry.index[100:160], "iot_signal_3"] = 52.0  # an hour of flat readings
    index = PatternIndex(FleetSeries.from_pandas(telemetry))
    for pattern in ([52.0, 52.0, 52.0, 52.0], [54.0, 53.0, 52.0, 51.0]):
        for normalize in (True, False):
            matches = index.search(pattern, k=20, normalize=normalize)
            assert len(matches) == 20
            assert all(math.isfinite(m.distance) for m in matches)
    best = index.search([52.0] * 4, k=1)[0]
    assert (best.device_id, best.distance) == ("device-0001", 0.0)
