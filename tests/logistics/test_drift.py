"""Drift measures: zero for the same distribution, large for a shifted one."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from logistics.drift import feature_drift, hellinger, psi

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
