"""TimeSeriesQuery answers are stumpy.match's answers, merged across the fleet, best first."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from logistics.fleet.signals import FALLING_RUN, hump_shape
from logistics.timeseries.pattern_search import PatternIndex
from logistics.timeseries.series import FleetSeries
from logistics.timeseries.window_stats import FFT_MIN_WINDOW


@pytest.fixture(scope="module")
def index(small_fleet) -> PatternIndex:
    return PatternIndex(small_fleet.series)


def patterns(small_fleet) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(5)
    donor = small_fleet.series.device_series("device-0002", "iot_signal_4")
    return {
        "hump": 52.0 + 1.4 * hump_shape(),
        "noisy_window": donor[100:140] + rng.normal(scale=0.05, size=40),
        "long_window_fft_path": donor[500:600] + rng.normal(scale=0.05, size=100),
        "constant": np.full(6, 5.0),
    }


def reference(stumpy, pattern, series, k, normalize, zone_denominator, monkeypatch):
    monkeypatch.setattr(stumpy.config, "STUMPY_EXCL_ZONE_DENOM", zone_denominator)
    found = stumpy.match(
        np.asarray(pattern, float), series, max_matches=k, max_distance=np.inf, normalize=normalize
    )
    return [int(i) for i in found[:, 1]], [float(d) for d in found[:, 0]]


DISTANCE_ATOL = 1e-5
"""How far two distances may differ and still agree: a z-normalised distance near 0 is the square
root of a rounding error, which differs between machines in the fifth decimal."""


def tie_ranked(
    indices: list[int], distances: list[float], atol: float = DISTANCE_ATOL
) -> list[int]:
    """Match indices best first, with matches whose distances tie (within ``atol``) ordered by
    index: which of two equally good matches comes first is not part of either answer."""
    ranked: list[list[int]] = []
    last = None
    for index, distance in zip(indices, distances, strict=True):
        if last is None or abs(distance - last) > atol:
            ranked.append([])
        ranked[-1].append(index)
        last = distance
    return [index for group in ranked for index in sorted(group)]


@pytest.mark.parametrize("normalize", [True, False], ids=["z-normalised", "raw"])
@pytest.mark.parametrize("zone_denominator", [1, 4], ids=["non-overlapping", "stumpy-default"])
def test_each_device_gets_exactly_stumpy_match_answers(
    index, small_fleet, stumpy_cached, monkeypatch, normalize, zone_denominator
) -> None:
    assert patterns(small_fleet)["long_window_fft_path"].size >= FFT_MIN_WINDOW
    for name, pattern in patterns(small_fleet).items():
        zone = math.ceil(pattern.size / zone_denominator)
        for signal in ("iot_signal_1", "iot_signal_3", "iot_signal_4"):
            for device in small_fleet.series.device_ids:
                series = small_fleet.series.device_series(device, signal)
                want_i, want_d = reference(
                    stumpy_cached, pattern, series, 6, normalize, zone_denominator, monkeypatch
                )
                got = index.search(
                    pattern.tolist(), signal=signal, k=6, device_id=device,
                    normalize=normalize, exclusion_zone=zone,
                )  # fmt: skip
                got_d = [m.distance for m in got]
                assert np.allclose(got_d, want_d, rtol=0, atol=DISTANCE_ATOL), (
                    name,
                    signal,
                    device,
                )
                assert tie_ranked([m.index for m in got], got_d) == tie_ranked(want_i, want_d), (
                    name,
                    signal,
                    device,
                )


def test_falling_run_is_found_exactly_where_it_was_injected(index, small_fleet) -> None:
    truth = small_fleet.events[small_fleet.events.name == "falling_run"]
    matches = index.search(FALLING_RUN.tolist(), k=len(truth), normalize=False)
    assert [m.distance for m in matches] == [0.0] * len(truth)
    found = {(m.device_id, pd.Timestamp(m.event_ts)) for m in matches}
    assert found == set(zip(truth.device_id, truth.start_ts, strict=True))
    # best first, ties by device then time; event_ts is the index-th minute of that device
    assert matches == sorted(matches, key=lambda m: (m.distance, m.device_id, m.index))
    first = matches[0]
    assert pd.Timestamp(first.event_ts) == small_fleet.spec.start + pd.Timedelta(
        minutes=first.index
    )


def test_z_normalised_near_ties_agree_with_stumpy_within_tolerance(
    index, small_fleet, stumpy_cached
) -> None:
    """Windows that z-normalise to the same shape tie up to rounding; any tie order is valid,
    but every distance we report is STUMPY's distance at that index."""
    for device in small_fleet.series.device_ids:
        series = small_fleet.series.device_series(device, "iot_signal_3")
        got = index.search(FALLING_RUN.tolist(), k=8, device_id=device)
        profile = stumpy_cached.mass(FALLING_RUN, series)
        want = stumpy_cached.match(FALLING_RUN, series, max_matches=8, max_distance=np.inf)
        for match in got:
            assert abs(match.distance - profile[match.index]) < 1e-6
        assert np.allclose([m.distance for m in got], want[:, 0].astype(float), atol=1e-6)


def test_fleet_answer_is_the_best_k_of_all_devices_answers(index, small_fleet) -> None:
    pattern = patterns(small_fleet)["noisy_window"]
    per_device = [
        m
        for device in small_fleet.series.device_ids
        for m in index.search(pattern, signal="iot_signal_4", k=5, device_id=device)
    ]
    best = sorted(per_device, key=lambda m: (m.distance, m.device_id, m.index))[:5]
    assert index.search(pattern, signal="iot_signal_4", k=5) == best
    assert best[0].device_id == "device-0002" and best[0].index == 100


def test_devices_with_fewer_readings_are_padded_not_misaligned(small_fleet) -> None:
    telemetry = small_fleet.telemetry
    ragged = telemetry.drop(telemetry.index[(telemetry.device_id == "device-0001")][:500])
    fleet = FleetSeries.from_pandas(ragged)
    assert fleet.lengths.tolist() == [940, 1440, 1440, 1440]
    truth = small_fleet.events[small_fleet.events.name == "falling_run"]
    start = small_fleet.spec.start
    kept = truth[
        ~((truth.device_id == "device-0001") & (truth.start_ts < start + pd.Timedelta(minutes=500)))
    ]
    run = PatternIndex(fleet).search(FALLING_RUN.tolist(), k=len(kept), normalize=False)
    assert [m.distance for m in run] == [0.0] * len(kept)
    assert {(m.device_id, pd.Timestamp(m.event_ts)) for m in run} == set(
        zip(kept.device_id, kept.start_ts, strict=True)
    )
    for m in run:
        assert fleet.device_series(m.device_id, "iot_signal_3")[m.index] == 54.0
