"""The two time-series model endpoints as objects: request in, plain JSON out.

Why objects: a replica builds its model once (``warmup``) from the Iceberg snapshot it was
deployed against and answers many requests from memory; tests drive the same objects without a
server. The files under ``prd/`` only create these and track metrics.

TimeSeriesQuery never imports STUMPY or numba: its answers come from ``PatternIndex`` (numpy), so
a replica is ready in the time it takes to read the snapshot. MultiDimMotif needs STUMPY's
kernels; they load from the numba disk cache under LAB_HOME that training filled.
"""

from __future__ import annotations

import math
import os

import numpy as np

from logistics.telemetry_schema import SIGNALS
from logistics.timeseries.pattern_search import PatternIndex
from logistics.timeseries.series import FleetSeries, load_fleet_series
from logistics.timeseries.validation import boolean, numeric_series, positive_int, signal_name

QUERY_KEYS = {"pattern", "signal", "k", "device_id", "normalize"}
EXAMPLE_PATTERN = [54.0, 53.0, 52.0, 51.0]


def snapshot_from_environment(variable: str = "LAB_SNAPSHOT_ID") -> int | None:
    """The snapshot a deployment is pinned to; None (latest) when the variable is unset."""
    text = os.environ.get(variable, "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise ValueError(
            f"{variable} must be an Iceberg snapshot id (an integer), got {text!r}"
        ) from None


class TimeSeriesQueryModel:
    """``{"pattern": [...], "signal"?, "k"?, "device_id"?, "normalize"?}`` -> fleet matches."""

    def __init__(self, fleet: FleetSeries) -> None:
        self.fleet = fleet
        self.index = PatternIndex(fleet)

    @classmethod
    def from_lakehouse(cls, snapshot_id: int | None = None) -> TimeSeriesQueryModel:
        return cls(load_fleet_series(snapshot_id))

    def warmup(self) -> None:
        """Precompute the default signal's statistics and answer the example request once."""
        self.index.prepare("iot_signal_3", len(EXAMPLE_PATTERN))
        self.predict({"pattern": EXAMPLE_PATTERN})

    def predict(self, args: object) -> dict[str, object]:
        if not isinstance(args, dict):
            raise ValueError(f"request must be a JSON object, got {type(args).__name__}")
        unknown = sorted(set(args) - QUERY_KEYS)
        if unknown:
            raise ValueError(
                f"unknown field(s) {', '.join(unknown)}; expected {sorted(QUERY_KEYS)}"
            )
        if "pattern" not in args:
            raise ValueError('pattern is required, e.g. {"pattern": [54, 53, 52, 51]}')
        pattern = numeric_series(args["pattern"], "pattern")
        signal = signal_name(args.get("signal", "iot_signal_3"))
        k = positive_int(args.get("k", 5), "k")
        normalize = boolean(args.get("normalize", True), "normalize")
        device_id = args.get("device_id")
        matches = self.index.search(
            pattern, signal=signal, k=k, device_id=device_id, normalize=normalize
        )
        return {
            "data": {
                "pattern": pattern.tolist(),
                "signal": signal,
                "k": k,
                "device_id": device_id,
                "normalize": normalize,
                "snapshot_id": self.fleet.snapshot_id,
            },
            "nearest_neighbor": matches[0].index if matches else None,
            "matches": [m.to_dict() for m in matches],
        }


def parse_signals(args: object) -> tuple[dict[str, np.ndarray], dict[str, object]]:
    """Signals from a column-oriented request, or from the upstream dict of rows.

    Column-oriented: ``{"iot_signal_1": [...], ..., "m": 10}``. Row-oriented (what pandas'
    ``to_dict(orient="index")`` gives): ``{"0": {"iot_signal_1": 3, ...}, "1": {...}}``.
    Returns the signals (request order kept) and the remaining options.
    """
    if not isinstance(args, dict) or not args:
        raise ValueError('request must be a JSON object of signals, e.g. {"iot_signal_1": [...]}')
    options = {k: v for k, v in args.items() if k in {"m"}}
    body = {k: v for k, v in args.items() if k not in options}
    if body and all(isinstance(v, dict) for v in body.values()):
        rows = sorted(body.items(), key=lambda kv: _row_key(kv[0]))
        names = list(rows[0][1])
        for key, row in rows:
            if list(row) != names and set(row) != set(names):
                raise ValueError(f"row {key!r} has signals {sorted(row)}, expected {sorted(names)}")
        body = {name: [row[name] for _, row in rows] for name in names}
    unknown = [k for k in body if k not in SIGNALS]
    if unknown:
        raise ValueError(
            f"unknown signal(s) {', '.join(map(str, unknown))}; use {', '.join(SIGNALS)}"
        )
    if len(body) < 2:
        raise ValueError(
            "send at least two of iot_signal_1..iot_signal_4 for a multi-dimensional motif"
        )
    signals = {name: numeric_series(values, name) for name, values in body.items()}
    lengths = {name: v.size for name, v in signals.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"all signals need the same number of points, got {lengths}")
    return signals, options


def _row_key(key: object) -> int:
    try:
        return int(str(key))
    except ValueError:
        raise ValueError(f'row key {key!r} is not a row number (expected "0", "1", ...)') from None


def _json_floats(values: np.ndarray) -> list[float | None]:
    return [float(v) if math.isfinite(v) else None for v in np.asarray(values, dtype=np.float64)]


class MultiDimMotifModel:
    """Per-signal motifs, discords and anomaly scores, plus the multi-dimensional motif."""

    def __init__(self, default_m: int = 10, discords: int = 3) -> None:
        self.default_m = default_m
        self.discords = discords

    def warmup(self) -> None:
        """Load (or compile) STUMPY's kernels before the replica reports ready."""
        rng = np.random.default_rng(0)
        self.predict({s: rng.normal(size=64).tolist() for s in SIGNALS})

    def predict(self, args: object) -> dict[str, object]:
        from logistics.timeseries.profiles import (
            matrix_profile,
            multi_dim_motifs,
            top_discords,
            top_motifs,
        )

        signals, options = parse_signals(args)
        m = positive_int(options.get("m", self.default_m), "m")
        n = next(iter(signals.values())).size
        if m < 3 or 2 * m > n:
            raise ValueError(f"m must be between 3 and half the series length ({n // 2}), got {m}")
        per_signal = {}
        for name, series in signals.items():
            motifs = top_motifs(series, m, top=1)
            raw_profile, _ = matrix_profile(series, m, normalize=False)
            per_signal[name] = {
                "motif_indices": motifs[0].occurrences if motifs else [],
                "discord_indices": [d.index for d in top_discords(raw_profile, m, self.discords)],
                "anomaly_scores": _json_floats(raw_profile),
            }
        found, _ = multi_dim_motifs(signals, m)
        best = found[0] if found else None
        return {
            "m": m,
            "length": n,
            "signals": per_signal,
            "multi_dim_motif": None
            if best is None
            else {
                "indices": [best.index, best.neighbor_index],
                "signals": best.signals,
                "distance": best.distance if math.isfinite(best.distance) else None,
            },
        }
