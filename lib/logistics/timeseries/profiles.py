"""Matrix-profile models of one device: motifs, discords, multi-dimensional motifs, similarity.

Why per device: a device's matrix profile needs only its own series, so the fleet is trained by
running these functions on each device in parallel (``fleet_training``) and a model endpoint runs
them on the series it is sent.

Discords are windows whose nearest neighbour is far away: the unsupervised anomaly model, scored
by that distance. Motifs are windows whose nearest neighbour is close: recurring shapes.

Why flat windows are no motifs: z-normalised, any two constant windows are at distance 0 (STUMPY's
rule for constant subsequences), so a stuck sensor would always be the "best" motif; it is a fault,
which the discords report. Windows where the sensor is mostly stuck are handed to STUMPY as
constant (``T_subseq_isconstant``) and kept out of the motif candidates. Why a distance ceiling:
STUMPY's default ``max_distance`` (two standard deviations below the mean distance) admits windows
barely closer than chance, flat ones among them (a constant window is at sqrt(m) from any other),
so a motif's matches must correlate with it at ``MIN_CORRELATION`` or better.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from logistics.timeseries.numba_cache import load_stumpy
from logistics.timeseries.validation import positive_int, window_fits

FLAT_SHARE = 0.5
"""A window is flat when at least this share of its steps repeat the previous reading."""
MIN_CORRELATION = 0.8
"""Pearson correlation a window needs with a motif to count as one more occurrence of it."""


def same_shape_distance(m: int, min_correlation: float = MIN_CORRELATION) -> float:
    """The z-normalised distance of two ``m``-point windows correlated at ``min_correlation``."""
    if not -1.0 <= min_correlation < 1.0:
        raise ValueError(f"min correlation must be in [-1, 1), got {min_correlation}")
    return float(np.sqrt(2.0 * m * (1.0 - min_correlation)))


@dataclass(frozen=True)
class Discord:
    index: int
    score: float  # z-normalised distance to the nearest other window: higher is stranger


@dataclass(frozen=True)
class Motif:
    index: int
    neighbor_index: int
    distance: float
    occurrences: list[int] = field(default_factory=list)  # every match of the shape, best first


@dataclass(frozen=True)
class MultiDimMotif:
    index: int
    neighbor_index: int
    distance: float
    signals: list[str]  # the subspace the motif lives in


def matrix_profile(
    series: np.ndarray, m: int, *, normalize: bool = True, flat: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """``stumpy.stump``: distance to and index of each window's nearest non-trivial neighbour;
    ``flat`` (one flag per window) tells STUMPY which windows to treat as constant."""
    m = positive_int(m, "m")
    window_fits(m, series.size, "m")
    if m < 3:
        raise ValueError(f"m must be at least 3 points, got {m}")
    stump = load_stumpy().stump
    values = np.asarray(series, dtype=np.float64)
    if normalize and flat is not None:
        stump = partial(stump, T_A_subseq_isconstant=flat)
    profile = stump(values, m, normalize=normalize)
    return profile[:, 0].astype(np.float64), profile[:, 1].astype(np.int64)


def flat_windows(series: np.ndarray, m: int, share: float = FLAT_SHARE) -> np.ndarray:
    """One flag per window of ``m`` points: True where at least ``share`` of its ``m - 1`` steps
    leave the reading unchanged (a stuck or saturated sensor); ``share=1`` keeps STUMPY's own rule,
    constant windows only. A window with a missing reading is never flat."""
    if not 0.0 < share <= 1.0:
        raise ValueError(f"flat share must be in (0, 1], got {share}")
    values = np.asarray(series, dtype=np.float64)
    repeats = np.concatenate([[0], np.cumsum(np.diff(values) == 0)])
    still = repeats[m - 1 :] - repeats[: values.size - m + 1]
    finite = np.convolve(np.isfinite(values), np.ones(m), mode="valid") == m
    return (still >= share * (m - 1) - 1e-9) & finite


def top_discords(profile: np.ndarray, m: int, top: int) -> list[Discord]:
    """The ``top`` largest finite profile values, each excluding +-m windows around it."""
    scores = np.where(np.isfinite(profile), profile, -np.inf)
    found: list[Discord] = []
    for _ in range(top):
        i = int(np.argmax(scores))
        if not np.isfinite(scores[i]):
            break
        found.append(Discord(i, float(scores[i])))
        scores[max(0, i - m) : i + m + 1] = -np.inf
    return found


def top_motifs(
    series: np.ndarray,
    m: int,
    top: int,
    *,
    max_matches: int = 10,
    flat_share: float = FLAT_SHARE,
    min_correlation: float = MIN_CORRELATION,
) -> list[Motif]:
    """``stumpy.stump`` + ``stumpy.motifs``: the ``top`` recurring shapes and where each recurs;
    flat windows (see ``flat_windows``) are neither motifs nor matches of one, and a match
    correlates with its motif at ``min_correlation`` or better."""
    values = np.asarray(series, dtype=np.float64)
    flat = flat_windows(values, m, flat_share)
    profile, _ = matrix_profile(values, m, flat=flat)
    profile[flat] = np.inf  # STUMPY puts constant windows at 0 from each other: no candidates
    if not np.isfinite(profile).any():
        return []
    with warnings.catch_warnings():
        # a series with nothing recurring has no motif: an answer, not something to warn about
        warnings.filterwarnings("ignore", "No motifs were found", UserWarning)
        distances, indices = load_stumpy().motifs(
            values,
            profile,
            min_neighbors=1,
            max_matches=max_matches,
            max_motifs=top,
            max_distance=same_shape_distance(m, min_correlation),
            T_subseq_isconstant=flat,
        )
    motifs = []
    for row_d, row_i in zip(distances, indices, strict=True):
        occurrences = [
            int(i) for i, d in zip(row_i, row_d, strict=True) if i >= 0 and np.isfinite(d)
        ]
        if len(occurrences) >= 2:
            motifs.append(Motif(occurrences[0], occurrences[1], float(row_d[1]), occurrences))
    return motifs


def multi_dim_motifs(
    signals: dict[str, np.ndarray],
    m: int,
    top: int = 1,
    *,
    flat_share: float = FLAT_SHARE,
    min_correlation: float = MIN_CORRELATION,
) -> tuple[list[MultiDimMotif], np.ndarray]:
    """``stumpy.mstump`` + ``stumpy.mmotifs`` over several signals of equal length.

    Returns the motifs (each with the signals it spans, chosen by STUMPY's MDL rule) and the
    multi-dimensional profile, row ``k`` using the best ``k + 1`` signals for each window.
    A window flat in any signal (see ``flat_windows``) is no motif candidate, and the pair must
    correlate at ``min_correlation`` or better.
    """
    names = list(signals)
    matrix = np.vstack([np.asarray(signals[n], dtype=np.float64) for n in names])
    window_fits(m, matrix.shape[1], "m")
    flat = np.vstack([flat_windows(row, m, flat_share) for row in matrix])
    stumpy = load_stumpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # stumpy's own z_norm 'where' notice
        profile, neighbours = stumpy.mstump(matrix, m, T_subseq_isconstant=flat)
        candidates = profile.copy()
        candidates[:, flat.any(axis=0)] = np.inf
        if not np.isfinite(candidates).any():
            return [], profile
        distances, indices, subspaces, _ = stumpy.mmotifs(
            matrix,
            candidates,
            neighbours,
            max_motifs=top,
            max_matches=2,
            max_distance=same_shape_distance(m, min_correlation),
            T_subseq_isconstant=flat,
        )
    motifs = []
    for row_d, row_i, subspace in zip(distances, indices, subspaces, strict=False):
        if len(row_i) >= 2 and np.isfinite(row_d[1]):
            motifs.append(
                MultiDimMotif(
                    int(row_i[0]),
                    int(row_i[1]),
                    float(row_d[1]),
                    [names[int(s)] for s in np.atleast_1d(subspace)],
                )
            )
    return motifs, profile


def series_distance(a: np.ndarray, b: np.ndarray, m: int) -> float:
    """MPdist between two devices (AB-joins both ways): small when B contains A's behaviour."""
    stumpy = load_stumpy()
    return float(stumpy.mpdist(np.asarray(a, np.float64), np.asarray(b, np.float64), m))
