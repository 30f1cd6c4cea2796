"""Realistic model requests cut from the lakehouse telemetry, for load simulation.

Why real series: pattern queries drawn from the fleet's own readings exercise the model the way
production traffic would (matches exist, lengths vary), where uniform noise would not.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from pyiceberg.expressions import In

from logistics.lakehouse import read_arrow
from logistics.telemetry_schema import FAILURE_LABEL, SIGNALS, series_columns


@dataclass(frozen=True)
class TelemetrySample:
    """A few devices' series, sorted by time, to cut requests from."""

    frame: pd.DataFrame

    @classmethod
    def load(
        cls, devices: int = 5, table: str = "fleet_telemetry", seed: int = 0
    ) -> TelemetrySample:
        ids = read_arrow(table, columns=("device_id",)).column("device_id").unique().to_pylist()
        if not ids:
            raise ValueError(f"table {table} is empty: run its datagen step first")
        chosen = np.random.default_rng(seed).choice(
            sorted(ids), size=min(devices, len(ids)), replace=False
        )
        frame = read_arrow(
            table,
            row_filter=In("device_id", [str(d) for d in chosen]),
            columns=(*series_columns(), FAILURE_LABEL),
        ).to_pandas()
        return cls(frame.sort_values(["device_id", "event_ts"]).reset_index(drop=True))


def pattern_requests(
    sample: TelemetrySample,
    n: int,
    *,
    min_len: int = 4,
    max_len: int = 16,
    seed: int = 0,
    signal: str = "iot_signal_3",
) -> list[dict]:
    """TimeSeriesQuery requests: patterns cut from real series, lengths min_len..max_len."""
    rng = np.random.default_rng(seed)
    series = [g[signal].to_numpy() for _, g in sample.frame.groupby("device_id")]
    requests = []
    for _ in range(n):
        values = series[int(rng.integers(len(series)))]
        length = int(rng.integers(min_len, max_len + 1))
        start = int(rng.integers(0, values.size - length))
        requests.append({"pattern": [round(float(v), 4) for v in values[start : start + length]]})
    return requests


def window_requests(
    sample: TelemetrySample, n: int, *, length: int = 240, seed: int = 0
) -> list[dict]:
    """MultiDimMotif requests: column-oriented windows of the four signals."""
    rng = np.random.default_rng(seed)
    groups = [g for _, g in sample.frame.groupby("device_id")]
    requests = []
    for _ in range(n):
        g = groups[int(rng.integers(len(groups)))]
        start = int(rng.integers(0, max(1, len(g) - length)))
        window = g.iloc[start : start + length]
        requests.append({name: [round(float(v), 4) for v in window[name]] for name in SIGNALS})
    return requests


def classifier_requests(sample: TelemetrySample, n: int, *, seed: int = 0) -> list[dict]:
    """IoT classifier requests in MLflow's ``dataframe_split`` format, one reading each."""
    rows = sample.frame.sample(n=n, replace=True, random_state=seed)
    return [
        {"dataframe_split": {"columns": list(SIGNALS), "data": [[float(row[c]) for c in SIGNALS]]}}
        for _, row in rows.iterrows()
    ]


def labelled_classifier_requests(
    sample: TelemetrySample, n: int, *, drift_after: float = 1.0, shift: float = 0.0, seed: int = 0
) -> tuple[list[dict], np.ndarray]:
    """Classifier requests with the ground truth that arrives later, optionally drifting.

    Requests after ``drift_after`` (a fraction of ``n``) get ``shift`` added to iot_signal_4 (a
    hotter fleet); their labels are drawn again from the same failure model, so accuracy and
    drift both show.
    """
    from logistics.fleet.simulator import failure_probability

    rng = np.random.default_rng(seed)
    rows = sample.frame.sample(n=n, replace=True, random_state=seed).reset_index(drop=True)
    labels = rows[FAILURE_LABEL].to_numpy().astype(int)
    drifted = np.arange(n) >= int(drift_after * n)
    if shift and drifted.any():
        rows.loc[drifted, "iot_signal_4"] += shift
        signals = {name: rows.loc[drifted, name].to_numpy() for name in SIGNALS}
        p = failure_probability(signals, signals["iot_signal_4"] > 107)
        labels[drifted] = (rng.uniform(size=p.size) < p).astype(int)
    requests = [
        {"dataframe_split": {"columns": list(SIGNALS), "data": [[float(r[c]) for c in SIGNALS]]}}
        for _, r in rows.iterrows()
    ]
    return requests, labels
