"""Checks for everything a caller can get wrong, each failing with a ValueError naming the field.

Why one module: the pattern index, the training code and both model endpoints take the same kinds
of input (a numeric series, a signal name, a count, a window), and the endpoints turn a ValueError
into a 4xx answer, so the message must say which field was wrong and how.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from numbers import Real

import numpy as np

from logistics.telemetry_schema import SIGNALS

MIN_PATTERN_POINTS = 3


def numeric_series(
    values: object, field: str, *, min_points: int = MIN_PATTERN_POINTS
) -> np.ndarray:
    """A finite float64 vector of at least ``min_points`` numbers, from a list or array."""
    if isinstance(values, str | bytes | dict) or not isinstance(values, Iterable):
        raise ValueError(f"{field} must be a list of numbers, got {type(values).__name__}")
    items = list(values)
    for position, item in enumerate(items):
        # bool is an int subclass, but true/false in a request is a mistake, not a reading
        if isinstance(item, bool | np.bool_) or not isinstance(item, Real | np.number):
            raise ValueError(
                f"{field}[{position}] must be a number, got {type(item).__name__} {item!r}"
            )
    array = np.asarray(items, dtype=np.float64)
    if array.ndim != 1:
        raise ValueError(f"{field} must be a flat list of numbers")
    if array.size < min_points:
        raise ValueError(f"{field} needs at least {min_points} points, got {array.size}")
    bad = np.flatnonzero(~np.isfinite(array))
    if bad.size:
        raise ValueError(f"{field}[{bad[0]}] is {array[bad[0]]}: NaN and inf are not allowed")
    return array


def positive_int(value: object, field: str) -> int:
    """A count such as k or m: an integer (not a bool, not 2.5) greater than zero."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise ValueError(f"{field} must be a positive integer, got {value!r}")
    if value <= 0:
        raise ValueError(f"{field} must be a positive integer, got {value}")
    return int(value)


def signal_name(value: object, field: str = "signal", allowed: Sequence[str] = SIGNALS) -> str:
    """One of the known signal columns."""
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"{field} must be one of {', '.join(allowed)}; got {value!r}")
    return value


def window_fits(m: int, n: int, field: str = "m", series: str = "the series") -> None:
    """A window (or pattern) of ``m`` points must fit in ``n`` points of series."""
    if m > n:
        raise ValueError(f"{field} ({m} points) is longer than {series} ({n} points)")


def optional_float(value: object, field: str) -> float | None:
    """None, or a finite, non-negative number (a distance cut-off)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise ValueError(f"{field} must be a finite number, got {value!r}")
    if value < 0:
        raise ValueError(f"{field} must be >= 0, got {value}")
    return float(value)


def boolean(value: object, field: str) -> bool:
    """A JSON boolean; strings like "false" are refused rather than read as True."""
    if not isinstance(value, bool):
        raise ValueError(f"{field} must be true or false, got {value!r}")
    return value
