"""Drift measures: zero for the same distribution, large for a shifted one, finite when a window
leaves bins empty; windows consecutive or sliding."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from logistics.drift import (
    MEASURES,
    drift_by_window,
    feature_drift,
    hellinger,
    kl,
    psi,
    tvd,
    window_starts,
)

RNG = np.random.default_rng(0)
REFERENCE = RNG.normal(52, 1, 20_000)


def test_same_distribution_is_stable() -> None:
    same = np.random.default_rng(1).normal(52, 1, 5_000)
    assert psi(REFERENCE, same) < 0.02
    assert hellinger(REFERENCE, same) < 0.05


def test_shifted_distribution_is_flagged_and_grows_with_the_shift() -> None:
    small, large = REFERENCE[:5000] + 0.3, REFERENCE[:5000] + 2.0
    assert 0.02 < psi(REFERENCE, small) < psi(REFERENCE, large)
    assert psi(REFERENCE, large) > 0.25
    assert 0 < hellinger(REFERENCE, small) < hellinger(REFERENCE, large) <= 1


def test_feature_drift_reports_a_verdict_per_feature() -> None:
    ref = pd.DataFrame({"a": REFERENCE, "b": REFERENCE})
    cur = pd.DataFrame({"a": REFERENCE[:3000], "b": REFERENCE[:3000] + 3})
    verdicts = {d.feature: d.verdict for d in feature_drift(ref, cur, ("a", "b"))}
    assert verdicts == {"a": "stable", "b": "shifted"}


def test_missing_feature_or_empty_window_is_refused() -> None:
    ref = pd.DataFrame({"a": REFERENCE})
    with pytest.raises(ValueError, match="'b'"):
        feature_drift(ref, ref, ("a", "b"))
    with pytest.raises(ValueError, match="send requests"):
        feature_drift(ref, ref.iloc[:0], ("a",))


UNIFORM = np.linspace(0, 1, 10_000, endpoint=False)


def test_the_four_measures_are_zero_for_the_same_sample() -> None:
    for measure in (psi, tvd, hellinger, kl):
        assert measure(UNIFORM, UNIFORM) == pytest.approx(0, abs=1e-12)


def test_a_window_in_one_bin_gives_the_known_tvd_and_hellinger_and_finite_psi_and_kl() -> None:
    top = np.full(50, 0.95)  # every request in the reference's top decile, nine bins empty
    assert tvd(UNIFORM, top) == pytest.approx(0.9)
    assert hellinger(UNIFORM, top) == pytest.approx(np.sqrt(1 - np.sqrt(0.1)))
    assert np.isfinite(psi(UNIFORM, top)) and psi(UNIFORM, top) > 1
    assert np.isfinite(kl(UNIFORM, top)) and kl(UNIFORM, top) == pytest.approx(np.log(10), 0.01)


def test_requests_beyond_the_training_range_stay_finite() -> None:
    far = np.full(100, 1e9)
    for measure in (psi, kl, tvd, hellinger):
        assert np.isfinite(measure(UNIFORM, far))
    assert tvd(UNIFORM, far) == pytest.approx(0.9)


def test_a_constant_reference_still_bins_and_missing_values_are_dropped() -> None:
    constant = np.full(1000, 3.0)
    assert tvd(constant, np.array([3.0, 3.0, np.nan])) == 0
    assert tvd(constant, np.array([2.0, 4.0])) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="no finite values"):
        psi(constant, np.array([np.nan]))


def test_windows_are_consecutive_by_default_and_full_when_sliding() -> None:
    assert window_starts(10, 4) == [0, 4, 8]
    assert window_starts(10, 4, step=2) == [0, 2, 4, 6]
    assert window_starts(3, 4, step=2) == [0]
    assert window_starts(0, 4) == []
    with pytest.raises(ValueError, match="step"):
        window_starts(10, 4, step=0)


def test_sliding_windows_report_every_measure_and_find_the_shift() -> None:
    ref = pd.DataFrame({"a": REFERENCE})
    cur = pd.DataFrame({"a": np.r_[REFERENCE[:300], REFERENCE[300:600] + 2]})
    table = drift_by_window(ref, cur, ("a",), 100, step=50)
    assert list(table.window) == list(range(1, 12))
    assert set(MEASURES) <= set(table.columns)
    shifted = table[table.verdict == "shifted"]
    assert shifted.first_row.min() == 250 and shifted.last_row.max() == 599
