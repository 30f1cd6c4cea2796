"""Motif discovery on the default fleet: plain STUMPY vs flat windows left out, scored on truth.

The same simulated telemetry dev/00 writes (the default fleet unless told otherwise) goes through
two motif searches per device and signal: plain ``stumpy.stump`` + ``stumpy.motifs`` (constant
windows follow STUMPY's own rule and may be motifs) and ``top_motifs`` (mostly stuck windows are
constant for STUMPY and no candidates). Both are scored against the injected events: precision and
recall of every reported occurrence against the hump, and what the rank-1 motif pair lies on.
The multi-dimensional motif is compared the same way. Times are the searches only.

    python bench/bench_motif_quality.py [--devices 50 --days 2 --no-multi-dim]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
import pandas as pd


def plain_motifs(series: np.ndarray, m: int, top: int) -> list[list[int]]:
    """What training did before: STUMPY's motifs on the z-normalised profile, nothing excluded."""
    import stumpy

    profile = stumpy.stump(series, m)[:, 0].astype(np.float64)
    distances, indices = stumpy.motifs(
        series, profile, min_neighbors=1, max_matches=10, max_motifs=top
    )
    return [
        [int(i) for i, d in zip(row_i, row_d, strict=True) if i >= 0 and np.isfinite(d)]
        for row_d, row_i in zip(distances, indices, strict=True)
    ]


def flat_aware_motifs(series: np.ndarray, m: int, top: int) -> list[list[int]]:
    from logistics.timeseries.profiles import top_motifs

    return [motif.occurrences for motif in top_motifs(series, m, top)]


def plain_multi_dim(matrix: np.ndarray, m: int) -> list[int]:
    import warnings

    import stumpy

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # stumpy's own z_norm 'where' notice
        profile, neighbours = stumpy.mstump(matrix, m)
        _, indices, _, _ = stumpy.mmotifs(matrix, profile, neighbours, max_motifs=1, max_matches=2)
    return [int(i) for i in indices[0]] if len(indices) else []


def flat_aware_multi_dim(matrix: np.ndarray, m: int) -> list[int]:
    from logistics.timeseries.profiles import multi_dim_motifs

    found, _ = multi_dim_motifs({str(i): row for i, row in enumerate(matrix)}, m)
    return [found[0].index, found[0].neighbor_index] if found else []


def motif_rows(
    frames: list[pd.DataFrame],
    search: Callable[[np.ndarray, int, int], list[list[int]]],
    signals: tuple[str, ...],
    m: int,
    top: int,
) -> tuple[pd.DataFrame, float]:
    """Motifs of every device and signal, in the shape training writes them, and the seconds."""
    rows, seconds = [], 0.0
    for frame in frames:
        ts = pd.to_datetime(frame["event_ts"], utc=True).reset_index(drop=True)
        for signal in signals:
            started = time.perf_counter()
            found = search(frame[signal].to_numpy(np.float64), m, top)
            seconds += time.perf_counter() - started
            for rank, occurrences in enumerate((o for o in found if len(o) >= 2), start=1):
                rows.append(
                    {
                        "device_id": frame["device_id"].iloc[0],
                        "signal": signal,
                        "rank": rank,
                        "m": m,
                        "window_index": occurrences[0],
                        "event_ts": ts.iloc[occurrences[0]],
                        "neighbor_ts": ts.iloc[occurrences[1]],
                        "occurrences": occurrences,
                    }
                )
    return pd.DataFrame(rows), seconds


def multi_dim_rows(frames, search, signals, m) -> tuple[pd.DataFrame, float]:
    rows, seconds = [], 0.0
    for frame in frames:
        ts = pd.to_datetime(frame["event_ts"], utc=True).reset_index(drop=True)
        matrix = np.vstack([frame[s].to_numpy(np.float64) for s in signals])
        started = time.perf_counter()
        pair = search(matrix, m)
        seconds += time.perf_counter() - started
        if len(pair) >= 2:
            rows.append(
                {
                    "device_id": frame["device_id"].iloc[0],
                    "signal": "all",
                    "rank": 1,
                    "m": m,
                    "event_ts": ts.iloc[pair[0]],
                    "neighbor_ts": ts.iloc[pair[1]],
                }
            )
    return pd.DataFrame(rows), seconds


def main() -> None:
    from logistics.fleet import FleetSpec, injected_events, simulate_device
    from logistics.telemetry_schema import SIGNALS
    from logistics.timeseries.device_models import TrainingParams
    from logistics.timeseries.evaluation import motif_hit_rate, score_motifs
    from logistics.timeseries.numba_cache import enable_stumpy_cache

    defaults = FleetSpec()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=defaults.devices)
    parser.add_argument("--days", type=int, default=defaults.days)
    parser.add_argument("--no-multi-dim", action="store_true", help="skip stumpy.mstump (slow)")
    args = parser.parse_args()
    spec = FleetSpec(args.devices, args.days, seed=defaults.seed)
    params = TrainingParams()
    m, top = params.motif_m, params.motifs_per_signal
    enable_stumpy_cache()

    print(f"simulating {spec.devices} devices x {spec.days} days (seed {spec.seed})", flush=True)
    frames = [simulate_device(spec, i) for i in range(spec.devices)]
    events = injected_events(spec)
    warm = frames[0].iloc[: 4 * m]
    for search in (plain_motifs, flat_aware_motifs):  # compile before timing
        motif_rows([warm], search, SIGNALS[:1], m, top)
    if not args.no_multi_dim:
        for search in (plain_multi_dim, flat_aware_multi_dim):
            multi_dim_rows([warm], search, SIGNALS, m)

    results = {}
    for label, search, multi in (
        ("plain STUMPY", plain_motifs, plain_multi_dim),
        ("flat windows excluded", flat_aware_motifs, flat_aware_multi_dim),
    ):
        print(f"searching motifs: {label}", flush=True)
        motifs, seconds = motif_rows(frames, search, SIGNALS, m, top)
        multi_dim, multi_seconds = (
            (pd.DataFrame(), 0.0)
            if args.no_multi_dim
            else multi_dim_rows(frames, multi, SIGNALS, m)
        )
        score = score_motifs(motifs, events)
        results[label] = (
            score.precision,
            score.recall,
            motif_hit_rate(motifs, events, "hump"),
            motif_hit_rate(motifs, events, "flatline"),
            motif_hit_rate(multi_dim, events, "hump") if len(multi_dim) else float("nan"),
            seconds + multi_seconds,
        )
    print(f"\nmotif window m={m}, {top} motifs per device and signal, {len(SIGNALS)} signals")
    header = ("", "precision", "recall", "rank-1 hump", "rank-1 flatline", "multi-dim hump", "s")
    print("{:<24}{:>10}{:>8}{:>13}{:>17}{:>16}{:>8}".format(*header))
    for label, values in results.items():
        print("{:<24}{:>10.3f}{:>8.3f}{:>13.3f}{:>17.3f}{:>16.3f}{:>8.1f}".format(label, *values))
    before, after = results.values()
    print(
        f"\nratios flat-excluded / plain: precision {after[0] / max(before[0], 1e-9):.2f}x, "
        f"recall {after[1] / max(before[1], 1e-9):.2f}x, time {after[5] / before[5]:.2f}x"
    )


if __name__ == "__main__":
    main()
