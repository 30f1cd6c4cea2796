"""TimeSeriesQuery: the k best matches of a pattern across the whole fleet, best first.

Why an index: the data of a deployment never changes (it is pinned to one Iceberg snapshot), so
per-device statistics are computed once and a query costs one sliding dot product over the fleet
plus element-wise arithmetic, in numpy only: no numba compilation in a serving process.

Answers equal ``stumpy.match(Q, T, max_matches=k, max_distance=inf)`` on each device, merged across
devices by distance: the same formulas (including STUMPY's rules for constant windows, which give
0 or sqrt(m) instead of NaN) and the same greedy selection, where each match excludes the windows
within ``exclusion_zone`` of it. The default zone, ``m``, makes matches non-overlapping (STUMPY's
own default, ceil(m/4), is one argument away).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from logistics.timeseries.series import FleetSeries
from logistics.timeseries.validation import (
    numeric_series,
    optional_float,
    positive_int,
    window_fits,
)
from logistics.timeseries.window_stats import (
    FFT_MIN_WINDOW,
    ROW_BLOCK,
    CentredSignal,
    WindowStats,
    sliding_dot,
)

DENOM_THRESHOLD = 1e-14  # stumpy.config.STUMPY_DENOM_THRESHOLD


@dataclass(frozen=True)
class Match:
    """One match: which device, where (minutes from the device's first reading), how close."""

    device_id: str
    index: int
    event_ts: datetime
    distance: float

    def to_dict(self) -> dict[str, object]:
        return {
            "device_id": self.device_id,
            "event_ts": self.event_ts.isoformat(),
            "index": self.index,
            "distance": self.distance,
        }


class PatternIndex:
    """Per-snapshot search structure over a ``FleetSeries``; build once, query many times."""

    def __init__(self, fleet: FleetSeries, *, cache_windows: int = 8) -> None:
        self.fleet = fleet
        self._signals: dict[str, CentredSignal] = {}
        self._spectra: dict[str, tuple[np.ndarray, int]] = {}
        self._stats: OrderedDict[tuple[str, int], WindowStats] = OrderedDict()
        self._cache_windows = cache_windows

    def prepare(self, signal: str, m: int | None = None, *, fft: bool = False) -> None:
        """Precompute what queries on ``signal`` (with windows of ``m`` points) will need."""
        self._centred(signal)
        if fft:
            self._spectrum(signal)
        if m is not None:
            self._window_stats(signal, m)

    def search(
        self,
        pattern: object,
        *,
        signal: str = "iot_signal_3",
        k: object = 5,
        device_id: str | None = None,
        normalize: bool = True,
        max_distance: object = None,
        exclusion_zone: int | None = None,
    ) -> list[Match]:
        """The ``k`` best non-overlapping matches of ``pattern``, best first."""
        query = numeric_series(pattern, "pattern")
        k = positive_int(k, "k")
        cutoff = optional_float(max_distance, "max_distance")
        centred = self._centred(signal)  # validates the signal name
        if device_id is not None:
            row = self.fleet.row(device_id)
            rows = slice(row, row + 1)
            window_fits(
                query.size, int(self.fleet.lengths[row]), "pattern", f"{device_id}'s series"
            )
        else:
            rows = slice(0, len(self.fleet.device_ids))
            window_fits(query.size, int(self.fleet.lengths.max()), "pattern", "every series")
        m = query.size
        zone = m if exclusion_zone is None else int(exclusion_zone)
        stats = self._window_stats(signal, m)
        spectrum = self._spectrum(signal) if m >= FFT_MIN_WINDOW else None
        need = (k - 1) * (2 * zone + 1) + 1  # greedy picks all lie among this many smallest
        blocks = [
            self._block_candidates(query, centred, stats, spectrum, r, need, normalize)
            for r in _row_blocks(rows)
        ]
        score = np.concatenate([b[0] for b in blocks])
        device = np.concatenate([b[1] for b in blocks])
        index = np.concatenate([b[2] for b in blocks])
        slack = max(b[3] for b in blocks)
        if score.size > need:
            keep = score <= np.partition(score, need - 1)[need - 1] + 2 * slack
            score, device, index = score[keep], device[keep], index[keep]
        distance = np.sqrt(score) if normalize else _exact_raw(query, centred.raw, device, index)
        return self._greedy(distance, device, index, k, zone, cutoff)

    def _block_candidates(
        self,
        query: np.ndarray,
        centred: CentredSignal,
        stats: WindowStats,
        spectrum: tuple[np.ndarray, int] | None,
        rows: slice,
        need: int,
        normalize: bool,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
        """Squared-distance candidates of one block of devices that may be among the picks.

        Raw distances are screened with a cheap formula whose rounding error is at most
        ``slack``; keeping everything within 2 * slack of the cut guarantees no true pick is lost.
        """
        m = query.size
        if normalize:
            q = query - query.mean()
            sq = float(query.std())
            dot = sliding_dot(q, centred, rows, spectrum)
            denom = np.maximum(sq * stats.std[rows] * m, DENOM_THRESHOLD)
            rho = np.minimum(dot / denom, 1.0)
            score = np.abs(2 * m * (1.0 - rho))
            q_constant = bool(query.max() == query.min())
            constant = stats.constant[rows]
            if q_constant:
                score = np.where(constant, 0.0, float(m))
            else:
                score[constant] = float(m)
            slack = 0.0
        else:
            # squared distance screen on centred values; exact distances are recomputed later
            offset = centred.offset[rows, None]
            q_sq = ((query[None, :] - offset) ** 2).sum(axis=1)[:, None]
            cross = sliding_dot(query, centred, rows, spectrum) - offset * m * stats.mean[rows]
            score = q_sq + stats.sq_norm[rows] - 2.0 * cross
            # bound on rounding error: a generous multiple of eps times the terms' magnitudes
            sq_max = float(stats.sq_norm[rows].max())
            magnitude = (
                float(q_sq.max())
                + sq_max
                + 2 * float(np.linalg.norm(query)) * math.sqrt(sq_max)
                + 2 * m * float(np.abs(offset).max() * np.abs(stats.mean[rows]).max())
            )
            slack = 1e-9 * magnitude + 1e-12
        score[~stats.valid[rows]] = np.inf
        flat = score.ravel()
        width = score.shape[1]
        if np.isfinite(flat).sum() > need:
            limit = np.partition(flat, need - 1)[need - 1] + 2 * slack
            picked = np.flatnonzero(flat <= limit)
        else:
            picked = np.flatnonzero(np.isfinite(flat))
        return flat[picked], rows.start + picked // width, picked % width, slack

    def _greedy(
        self,
        distance: np.ndarray,
        device: np.ndarray,
        index: np.ndarray,
        k: int,
        zone: int,
        cutoff: float | None,
    ) -> list[Match]:
        """STUMPY's selection: best first, each pick excluding +-zone windows of its device."""
        order = np.lexsort((index, device, distance))
        taken: dict[int, list[int]] = {}
        matches: list[Match] = []
        for o in order:
            if len(matches) == k or (cutoff is not None and distance[o] > cutoff + 1e-8):
                break
            d, i = int(device[o]), int(index[o])
            if any(abs(i - p) <= zone for p in taken.get(d, ())):
                continue
            taken.setdefault(d, []).append(i)
            ts = self.fleet.event_ts[d, i].astype("datetime64[us]").astype(int)
            matches.append(
                Match(
                    device_id=self.fleet.device_ids[d],
                    index=i,
                    event_ts=datetime.fromtimestamp(ts / 1e6, tz=UTC),
                    distance=float(distance[o]),
                )
            )
        return matches

    def _centred(self, signal: str) -> CentredSignal:
        matrix = self.fleet.signal(signal)
        if signal not in self._signals:
            self._signals[signal] = CentredSignal.of(matrix)
        return self._signals[signal]

    def _spectrum(self, signal: str) -> tuple[np.ndarray, int]:
        if signal not in self._spectra:
            self._spectra[signal] = self._centred(signal).spectrum()
        return self._spectra[signal]

    def _window_stats(self, signal: str, m: int) -> WindowStats:
        key = (signal, m)
        if key in self._stats:
            self._stats.move_to_end(key)
        else:
            self._stats[key] = WindowStats.of(self._centred(signal), m)
            while len(self._stats) > self._cache_windows:
                self._stats.popitem(last=False)
        return self._stats[key]


def _row_blocks(rows: slice) -> list[slice]:
    return [
        slice(s, min(s + ROW_BLOCK, rows.stop)) for s in range(rows.start, rows.stop, ROW_BLOCK)
    ]


def _exact_raw(
    query: np.ndarray, raw: np.ndarray, device: np.ndarray, index: np.ndarray
) -> np.ndarray:
    """Euclidean distances computed directly (as scipy's cdist does), so exact hits are 0.0."""
    offsets = index[:, None] + np.arange(query.size)[None, :]
    windows = raw[device[:, None], offsets]
    return np.sqrt(((windows - query[None, :]) ** 2).sum(axis=1))


def excl_zone_like_stumpy(m: int, denominator: int = 4) -> int:
    """STUMPY's exclusion zone, ceil(m / STUMPY_EXCL_ZONE_DENOM), for callers who want it."""
    return math.ceil(m / denominator)
