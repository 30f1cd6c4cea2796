"""Feature drift between a reference sample (training data) and a window of served requests.

Why two measures: the population stability index (PSI) is what model-risk teams read (< 0.1 stable,
0.1–0.25 moderate, > 0.25 shifted); the Hellinger distance is bounded in [0, 1] and symmetric, so
it compares across features. Both use the reference's quantile bins, so each bin holds the same
share of training rows and a shift shows up wherever it lands.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

PSI_STABLE, PSI_SHIFTED = 0.1, 0.25


@dataclass(frozen=True)
class FeatureDrift:
    feature: str
    psi: float
    hellinger: float

    @property
    def verdict(self) -> str:
        if self.psi < PSI_STABLE:
            return "stable"
        return "moderate" if self.psi < PSI_SHIFTED else "shifted"


def _shares(reference: np.ndarray, current: np.ndarray, bins: int) -> tuple[np.ndarray, np.ndarray]:
    edges = np.unique(np.quantile(reference, np.linspace(0, 1, bins + 1)))
    edges[0], edges[-1] = -np.inf, np.inf
    ref = np.histogram(reference, edges)[0] / max(reference.size, 1)
    cur = np.histogram(current, edges)[0] / max(current.size, 1)
    return ref, cur


def psi(reference: np.ndarray, current: np.ndarray, bins: int = 10, eps: float = 1e-4) -> float:
    """Population stability index of ``current`` against ``reference``."""
    ref, cur = _shares(np.asarray(reference, float), np.asarray(current, float), bins)
    ref, cur = np.clip(ref, eps, None), np.clip(cur, eps, None)
    return float(np.sum((cur - ref) * np.log(cur / ref)))


def hellinger(reference: np.ndarray, current: np.ndarray, bins: int = 10) -> float:
    """Hellinger distance between the binned distributions, in [0, 1]."""
    ref, cur = _shares(np.asarray(reference, float), np.asarray(current, float), bins)
    return float(np.sqrt(0.5 * np.sum((np.sqrt(ref) - np.sqrt(cur)) ** 2)))


def feature_drift(
    reference: pd.DataFrame, current: pd.DataFrame, features: tuple[str, ...], bins: int = 10
) -> list[FeatureDrift]:
    """PSI and Hellinger for every feature; a feature missing from either side is an error."""
    if current.empty:
        raise ValueError("no current rows to compare: send requests before monitoring drift")
    for name in features:
        for side, frame in (("reference", reference), ("current", current)):
            if name not in frame.columns:
                raise ValueError(f"{side} data lacks feature {name!r}")
    return [
        FeatureDrift(
            name,
            psi(reference[name].to_numpy(), current[name].to_numpy(), bins),
            hellinger(reference[name].to_numpy(), current[name].to_numpy(), bins),
        )
        for name in features
    ]


def drift_by_window(
    reference: pd.DataFrame, current: pd.DataFrame, features: tuple[str, ...], window: int
) -> pd.DataFrame:
    """PSI and Hellinger per feature for consecutive windows of ``window`` current rows."""
    rows = []
    for number, start in enumerate(range(0, len(current), window), start=1):
        chunk = current.iloc[start : start + window]
        for d in feature_drift(reference, chunk, features):
            rows.append(
                {
                    "window": number,
                    "feature": d.feature,
                    "psi": d.psi,
                    "hellinger": d.hellinger,
                    "verdict": d.verdict,
                }
            )
    return pd.DataFrame(rows)
