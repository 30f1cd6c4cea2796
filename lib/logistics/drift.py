"""Feature drift between a reference sample (training data) and windows of served requests.

Why four measures: the population stability index (PSI) is what model-risk teams read (< 0.1
stable, 0.1–0.25 moderate, > 0.25 shifted); the total variation distance (TVD) is the largest
difference in probability any set of bins can show, in [0, 1]; the Hellinger distance is bounded in
[0, 1] and symmetric, so it compares across features; the Kullback–Leibler divergence of the window
from the reference is the information lost by assuming the training distribution still holds. All
use the reference's quantile bins, so each bin holds the same share of training rows and a shift
shows up wherever it lands.

Why smoothing: a window that leaves a bin empty (or lands where training had no rows) would make
PSI and KL infinite; every share is floored at ``eps`` and renormalised first, so each measure
stays finite and an empty bin counts as a large but bounded shift.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import rel_entr

PSI_STABLE, PSI_SHIFTED = 0.1, 0.25
MEASURES = ("psi", "tvd", "hellinger", "kl")
THRESHOLDS = {"psi": PSI_SHIFTED, "tvd": 0.25, "hellinger": 0.2, "kl": 0.15}
"""Alarm levels: PSI's usual "shifted"; the others above what windows of 100 stationary rows in
10 bins reach (99.9th percentile: TVD 0.22, Hellinger 0.19, KL 0.13; PSI's is 0.32, so PSI alarms
on 100-row windows now and then without drift — ``bench/bench_drift.py`` prints how often)."""
EPS = 1e-4


@dataclass(frozen=True)
class FeatureDrift:
    feature: str
    psi: float
    hellinger: float
    tvd: float = 0.0
    kl: float = 0.0

    @property
    def verdict(self) -> str:
        if self.psi < PSI_STABLE:
            return "stable"
        return "moderate" if self.psi < PSI_SHIFTED else "shifted"


def _finite(values: np.ndarray, side: str) -> np.ndarray:
    values = np.asarray(values, float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        raise ValueError(f"the {side} sample has no finite values to bin")
    return values


def binned_shares(
    reference: np.ndarray, current: np.ndarray, bins: int = 10
) -> tuple[np.ndarray, np.ndarray]:
    """Shares of ``reference`` and ``current`` in the reference's quantile bins (open-ended).

    Repeated quantiles (a feature with few distinct values) merge into one edge, and a constant
    reference still gets two bins: below its value and from it up.
    """
    if bins < 1:
        raise ValueError(f"bins must be >= 1, got {bins}")
    ref_values, cur_values = _finite(reference, "reference"), _finite(current, "current")
    interior = np.unique(np.quantile(ref_values, np.linspace(0, 1, bins + 1))[1:-1])
    if interior.size == 0:
        interior = np.array([ref_values[0]])
    edges = np.concatenate(([-np.inf], interior, [np.inf]))
    ref = np.histogram(ref_values, edges)[0] / ref_values.size
    cur = np.histogram(cur_values, edges)[0] / cur_values.size
    return ref, cur


def smoothed(shares: np.ndarray, eps: float = EPS) -> np.ndarray:
    """Shares floored at ``eps`` and renormalised to sum to one (no empty bin left)."""
    floored = np.clip(shares, eps, None)
    return floored / floored.sum()


def _psi(ref: np.ndarray, cur: np.ndarray, eps: float = EPS) -> float:
    ref, cur = smoothed(ref, eps), smoothed(cur, eps)
    return float(np.sum((cur - ref) * np.log(cur / ref)))


def _kl(ref: np.ndarray, cur: np.ndarray, eps: float = EPS) -> float:
    return float(np.sum(rel_entr(smoothed(cur, eps), smoothed(ref, eps))))


def _tvd(ref: np.ndarray, cur: np.ndarray) -> float:
    return float(0.5 * np.abs(ref - cur).sum())


def _hellinger(ref: np.ndarray, cur: np.ndarray) -> float:
    return float(np.sqrt(0.5 * np.sum((np.sqrt(ref) - np.sqrt(cur)) ** 2)))


def psi(reference: np.ndarray, current: np.ndarray, bins: int = 10, eps: float = EPS) -> float:
    """Population stability index of ``current`` against ``reference``."""
    return _psi(*binned_shares(reference, current, bins), eps)


def kl(reference: np.ndarray, current: np.ndarray, bins: int = 10, eps: float = EPS) -> float:
    """Kullback–Leibler divergence KL(current ‖ reference) of the binned distributions, in nats."""
    return _kl(*binned_shares(reference, current, bins), eps)


def tvd(reference: np.ndarray, current: np.ndarray, bins: int = 10) -> float:
    """Total variation distance between the binned distributions, in [0, 1]."""
    return _tvd(*binned_shares(reference, current, bins))


def hellinger(reference: np.ndarray, current: np.ndarray, bins: int = 10) -> float:
    """Hellinger distance between the binned distributions, in [0, 1]."""
    return _hellinger(*binned_shares(reference, current, bins))


def _measured(name: str, reference: np.ndarray, current: np.ndarray, bins: int) -> FeatureDrift:
    ref, cur = binned_shares(reference, current, bins)  # binned once for the four measures
    return FeatureDrift(
        name,
        psi=_psi(ref, cur),
        hellinger=_hellinger(ref, cur),
        tvd=_tvd(ref, cur),
        kl=_kl(ref, cur),
    )


def feature_drift(
    reference: pd.DataFrame, current: pd.DataFrame, features: tuple[str, ...], bins: int = 10
) -> list[FeatureDrift]:
    """Every measure for every feature; a feature missing from either side is an error."""
    if current.empty:
        raise ValueError("no current rows to compare: send requests before monitoring drift")
    for name in features:
        for side, frame in (("reference", reference), ("current", current)):
            if name not in frame.columns:
                raise ValueError(f"{side} data lacks feature {name!r}")
    return [
        _measured(name, reference[name].to_numpy(), current[name].to_numpy(), bins)
        for name in features
    ]


def window_starts(rows: int, window: int, step: int | None = None) -> list[int]:
    """First row of each window of ``window`` rows, ``step`` rows apart (default: consecutive).

    Consecutive windows keep a shorter last one (no served row left out); sliding windows are all
    full, so each compares the same number of rows with the reference.
    """
    if window <= 0:
        raise ValueError(f"window must be > 0, got {window}")
    step = window if step is None else step
    if step <= 0:
        raise ValueError(f"step must be > 0, got {step}")
    if step == window or rows <= window:
        return list(range(0, rows, window)) if rows else []
    return list(range(0, rows - window + 1, step))


def drift_by_window(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    features: tuple[str, ...],
    window: int,
    step: int | None = None,
    bins: int = 10,
) -> pd.DataFrame:
    """Every measure per feature for windows of ``window`` current rows, ``step`` rows apart.

    One row per window and feature: ``window`` (numbered from 1), ``first_row`` and ``last_row``
    (0-based, in serving order), ``feature``,
    the measures of ``MEASURES`` and the PSI ``verdict``.
    """
    rows = []
    for number, start in enumerate(window_starts(len(current), window, step), start=1):
        chunk = current.iloc[start : start + window]
        for d in feature_drift(reference, chunk, features, bins):
            rows.append(
                {
                    "window": number,
                    "first_row": start,
                    "last_row": start + len(chunk) - 1,
                    "feature": d.feature,
                    "psi": d.psi,
                    "tvd": d.tvd,
                    "hellinger": d.hellinger,
                    "kl": d.kl,
                    "verdict": d.verdict,
                }
            )
    return pd.DataFrame(rows)
