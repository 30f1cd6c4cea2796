"""TimeSeriesQuery latency: PatternIndex vs stumpy.match per device with precomputed statistics.

Both answer the same question, the k best matches across the fleet with STUMPY's exclusion zone,
and the answers are checked to be the same before any ratio is printed. Fleets are simulated in
process with the lab's simulator: the default fleet (50 devices x 2 days) and 500 devices x 7 days.

    python bench/bench_pattern_search.py [--large-devices 500 --large-days 7]
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from functools import partial

import numpy as np
import pandas as pd
from logistics.fleet import FleetSpec, simulate_device
from logistics.fleet.signals import FALLING_RUN, hump_shape
from logistics.timeseries.numba_cache import enable_stumpy_cache
from logistics.timeseries.pattern_search import PatternIndex
from logistics.timeseries.series import FleetSeries
from rich.progress import track

K = 10
SIGNAL = "iot_signal_3"


def simulate(devices: int, days: int) -> FleetSeries:
    spec = FleetSpec(devices=devices, days=days, seed=7)
    frames = [
        simulate_device(spec, i) for i in track(range(devices), f"simulating {devices} devices")
    ]
    return FleetSeries.from_pandas(pd.concat(frames, ignore_index=True), signals=(SIGNAL,))


def stumpy_baseline(fleet: FleetSeries, m: int):
    """Per device: the series and stumpy's own precomputed mean, std and constancy."""
    import stumpy

    prepared = []
    for device in fleet.device_ids:
        series = fleet.device_series(device, SIGNAL)
        mean, std = stumpy.core.compute_mean_std(series, m)
        constant = stumpy.core.rolling_isconstant(series, m)
        finite = stumpy.core.rolling_isfinite(series, m)
        prepared.append((device, series, mean, std, constant, finite))

    def query(pattern: np.ndarray, normalize: bool):
        found = []
        for device, series, mean, std, constant, finite in prepared:
            if normalize:
                got = stumpy.match(pattern, series, mean, std, max_distance=np.inf,
                                   max_matches=K, T_subseq_isconstant=constant)  # fmt: skip
            else:
                got = stumpy.match(pattern, series, max_distance=np.inf, max_matches=K,
                                   normalize=False, T_subseq_isfinite=finite)  # fmt: skip
            found += [(float(d), device, int(i)) for d, i in got]
        return sorted(found)[:K]

    return query


def timed(fn, repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def run(devices: int, days: int, repeats: int) -> list[float]:
    fleet = simulate(devices, days)
    print(f"\nfleet {devices} devices x {days} days ({fleet.lengths.sum():,} readings of {SIGNAL})")
    ratios = []
    for name, pattern, normalize in (
        ("falling run, raw", FALLING_RUN, False),
        ("falling run, z-norm", FALLING_RUN, True),
        ("hump (30 points), z-norm", 52 + 1.4 * hump_shape(), True),
    ):
        m = pattern.size
        zone = math.ceil(m / 4)  # stumpy's default exclusion zone, for identical answers
        index = PatternIndex(fleet)
        index.prepare(SIGNAL, m, fft=True)
        baseline = stumpy_baseline(fleet, m)
        want = baseline(pattern, normalize)  # also compiles stumpy's kernels
        got = index.search(pattern, signal=SIGNAL, k=K, normalize=normalize, exclusion_zone=zone)
        assert np.allclose([g.distance for g in got], [w[0] for w in want], atol=1e-6), name
        same = [(g.device_id, g.index) for g in got] == [(w[1], w[2]) for w in want]
        search = partial(index.search, pattern, signal=SIGNAL, k=K, normalize=normalize,
                         exclusion_zone=zone)  # fmt: skip
        ours = timed(search, repeats * 5)
        theirs = timed(partial(baseline, pattern, normalize), repeats)
        ratios.append(theirs / ours)
        print(
            f"  {name:26s} stumpy.match {theirs * 1e3:9.1f} ms   PatternIndex {ours * 1e3:7.2f} ms"
            f"   {theirs / ours:6.1f}x   same indices: {'yes' if same else 'ties reordered'}"
        )
    return ratios


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large-devices", type=int, default=500)
    parser.add_argument("--large-days", type=int, default=7)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    enable_stumpy_cache()
    ratios = run(50, 2, args.repeats) + run(args.large_devices, args.large_days, 1)
    print(f"\nslowest speed-up {min(ratios):.1f}x (goal >= 2x)")


if __name__ == "__main__":
    main()
