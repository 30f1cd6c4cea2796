"""Concept-drift detectors on a Bernoulli error stream: DDM and Page-Hinkley alarm soon after the
error rate rises, never before it, and stay quiet on a stationary stream."""

from __future__ import annotations

import numpy as np
import pytest
from logistics.concept_drift import DETECTORS, ConceptSettings, alarms

CHANGE = 1000


def error_stream(seed: int, before: float = 0.1, after: float = 0.4, n: int = 2000) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.r_[rng.random(CHANGE) < before, rng.random(n - CHANGE) < after]


@pytest.mark.parametrize("detector", DETECTORS)
def test_a_rise_in_error_rate_alarms_within_two_windows_and_not_before(detector) -> None:
    found = alarms(error_stream(seed=0), detectors=(detector,), window=100)
    assert found, f"{detector} never alarmed"
    first = found[0]
    assert CHANGE <= first.position < CHANGE + 200
    assert first.window(100) in (11, 12)
    assert first.error_rate > 0.25 and first.threshold == ConceptSettings().threshold_of(detector)


def test_a_stationary_stream_raises_no_alarm() -> None:
    stationary = np.random.default_rng(0).random(4000) < 0.1
    assert alarms(stationary) == []


def test_fewer_errors_is_not_drift_for_page_hinkley() -> None:
    better = error_stream(seed=0, before=0.4, after=0.05)
    assert [a for a in alarms(better, detectors=("page_hinkley",)) if a.position >= CHANGE] == []


def test_an_unknown_detector_or_window_is_refused() -> None:
    with pytest.raises(ValueError, match="adwin"):
        alarms([0, 1], detectors=("adwin",))
    with pytest.raises(ValueError, match="window"):
        alarms([0, 1], window=0)
