"""Rolling statistics of every window of every device, and sliding dot products against a query.

Why precompute: a distance profile needs each window's mean and standard deviation; they depend
only on the data and the window length, so they are computed once per (signal, m) and a query
then costs one sliding dot product plus element-wise arithmetic.

Why centre each device on its mean: z-normalised distances do not change when a device's series is
shifted, and raw distances are recovered exactly afterwards, but dot products of values near 52
or 104 lose digits to cancellation; centred values keep the arithmetic accurate.

Why two dot-product paths: short patterns are cheapest as ``m`` shifted multiply-adds; long ones
use the FFTs of the centred series, computed once per signal (circular correlation with an FFT
length of at least the series length never wraps for a window that fits).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

ROW_BLOCK = 32  # devices per block: keeps temporaries in cache and memory bounded
FFT_MIN_WINDOW = 48  # from here on one FFT product beats m shifted multiply-adds


@dataclass(frozen=True)
class CentredSignal:
    """One signal of the fleet, centred per device, NaN/inf replaced by 0 (windows masked)."""

    values: np.ndarray  # (devices, n_max) centred, non-finite set to 0
    finite: np.ndarray  # (devices, n_max) bool
    offset: np.ndarray  # (devices,) the mean that was subtracted
    raw: np.ndarray  # (devices, n_max) as read, for exact refinement and constancy

    @classmethod
    def of(cls, matrix: np.ndarray) -> CentredSignal:
        finite = np.isfinite(matrix)
        counts = finite.sum(axis=1)
        sums = np.where(finite, matrix, 0.0).sum(axis=1)
        offset = np.divide(sums, counts, out=np.zeros_like(sums), where=counts > 0)
        centred = np.where(finite, matrix - offset[:, None], 0.0)
        return cls(centred, finite, offset, matrix)

    def spectrum(self) -> tuple[np.ndarray, int]:
        """rFFT of every centred row, at a fast length no shorter than the longest series."""
        from scipy.fft import next_fast_len, rfft

        nfft = next_fast_len(self.values.shape[1], real=True)
        return rfft(self.values, n=nfft, axis=1), nfft


@dataclass(frozen=True)
class WindowStats:
    """Per window ``i`` of each device: finite?, constant?, mean and std (centred values)."""

    m: int
    valid: np.ndarray  # (devices, L) every point finite and inside the device's series
    constant: np.ndarray  # (devices, L) max == min, as STUMPY decides constancy
    mean: np.ndarray  # (devices, L) mean of the centred window
    std: np.ndarray  # (devices, L) population std, two-pass per window like numpy.nanstd
    sq_norm: np.ndarray  # (devices, L) sum of squared centred values (raw-distance screening)

    @classmethod
    def of(cls, signal: CentredSignal, m: int) -> WindowStats:
        devices, n = signal.values.shape
        length = n - m + 1
        valid = np.empty((devices, length), bool)
        constant = np.empty((devices, length), bool)
        mean = np.empty((devices, length))
        std = np.empty((devices, length))
        sq_norm = np.empty((devices, length))
        for s in range(0, devices, ROW_BLOCK):
            block = slice(s, s + ROW_BLOCK)
            finite_count = sliding_window_view(signal.finite[block], m, axis=1).sum(axis=-1)
            valid[block] = finite_count == m
            windows = sliding_window_view(signal.values[block], m, axis=1)
            raw = sliding_window_view(signal.raw[block], m, axis=1)
            constant[block] = (raw.max(axis=-1) == raw.min(axis=-1)) & valid[block]
            mean[block] = windows.mean(axis=-1)
            std[block] = windows.std(axis=-1)
            sq_norm[block] = np.einsum("dlm,dlm->dl", windows, windows)
        return cls(m, valid, constant, mean, std, sq_norm)


def sliding_dot(
    query: np.ndarray,
    signal: CentredSignal,
    rows: slice,
    spectrum: tuple[np.ndarray, int] | None = None,
) -> np.ndarray:
    """``out[d, i] = sum_j query[j] * centred[d, i + j]`` for the devices in ``rows``."""
    values = signal.values[rows]
    m = query.size
    length = values.shape[1] - m + 1
    if spectrum is None:
        out = query[0] * values[:, :length]
        for j in range(1, m):
            out += query[j] * values[:, j : j + length]
        return out
    from scipy.fft import irfft, rfft

    spec, nfft = spectrum
    q_spec = np.conj(rfft(query, n=nfft))
    return irfft(spec[rows] * q_spec, n=nfft, axis=1)[:, :length]
