"""Drift detection delay, in windows, on streams with a known change point.

Feature drift: a served signal drawn like its training data (N(52, 1)) shifts by a share of a
standard deviation at row ``--change``; each measure (PSI, TVD, Hellinger, KL, at the lab's alarm
levels) runs over sliding windows (half a window apart) and, as the baseline, over consecutive
windows. Concept drift: a 0/1 error stream whose error rate rises from 10 % at label ``--change``;
DDM and Page-Hinkley against the baseline of a window rule (a window's error rate above the
pre-change rate by three binomial standard deviations). Every stream is repeated over
``--seeds`` seeds; the same seeds without a change count false alarms.

Delay is rows from the change to the row at which the detector fired, in windows of ``--window``
rows; ratios compare each detector's median delay with its baseline's.

    python bench/bench_drift.py [--seeds 20 --window 100 --rows 3000 --change 1500]
"""

from __future__ import annotations

import argparse
import math
import statistics

import numpy as np
import pandas as pd
from logistics.concept_drift import DETECTORS, alarms
from logistics.drift import MEASURES, THRESHOLDS, drift_by_window
from logistics.drift_alerts import concept_detections, feature_detections, first_detection_after
from rich.progress import track

FEATURE_SHIFTS = (0.25, 0.5, 1.0, 2.0)
ERROR_RATES = (0.2, 0.3, 0.4)
BASE_ERROR = 0.1


def feature_delays(
    shift: float, seeds: int, rows: int, change: int, window: int, step: int
) -> dict[str, list[float | None]]:
    """Per measure and seed: the delay in windows of the first detection after the change."""
    reference = pd.DataFrame({"x": np.random.default_rng(10_000).normal(52, 1, 20_000)})
    delays: dict[str, list[float | None]] = {m: [] for m in MEASURES}
    for seed in range(seeds):
        served = np.random.default_rng(seed).normal(52, 1, rows)
        served[change:] += shift
        table = drift_by_window(reference, pd.DataFrame({"x": served}), ("x",), window, step)
        for measure in MEASURES:
            found = feature_detections(table, measure=measure)
            first = first_detection_after(found, change, detector=measure, feature="x")
            delays[measure].append(None if first is None else (first.position - change) / window)
    return delays


def feature_false_alarms(seeds: int, rows: int, window: int, step: int) -> dict[str, float]:
    """Detections per 1,000 rows on stationary streams, per measure."""
    reference = pd.DataFrame({"x": np.random.default_rng(10_000).normal(52, 1, 20_000)})
    counts = dict.fromkeys(MEASURES, 0)
    for seed in range(seeds):
        served = pd.DataFrame({"x": np.random.default_rng(seed).normal(52, 1, rows)})
        table = drift_by_window(reference, served, ("x",), window, step)
        for measure in MEASURES:
            counts[measure] += len(feature_detections(table, measure=measure))
    return {m: 1000 * c / (seeds * rows) for m, c in counts.items()}


def error_stream(seed: int, rows: int, change: int, after: float) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.r_[rng.random(change) < BASE_ERROR, rng.random(rows - change) < after].astype(int)


def window_rule_alarms(errors: np.ndarray, window: int) -> list[int]:
    """The baseline: last label of each window whose error rate passes 3 binomial sigmas."""
    limit = BASE_ERROR + 3 * math.sqrt(BASE_ERROR * (1 - BASE_ERROR) / window)
    return [
        start + window - 1
        for start in range(0, len(errors) - window + 1, window)
        if errors[start : start + window].mean() > limit
    ]


def concept_delays(
    after: float, seeds: int, rows: int, change: int, window: int
) -> dict[str, list[float | None]]:
    delays: dict[str, list[float | None]] = {d: [] for d in (*DETECTORS, "window rule")}
    for seed in range(seeds):
        errors = error_stream(seed, rows, change, after)
        found = concept_detections(alarms(errors, window=window), window=window)
        for detector in DETECTORS:
            first = first_detection_after(found, change, detector=detector)
            delays[detector].append(None if first is None else (first.position - change) / window)
        rule = [p for p in window_rule_alarms(errors, window) if p >= change]
        delays["window rule"].append((rule[0] - change) / window if rule else None)
    return delays


def concept_false_alarms(seeds: int, rows: int, window: int) -> dict[str, float]:
    counts = dict.fromkeys((*DETECTORS, "window rule"), 0)
    for seed in range(seeds):
        errors = (np.random.default_rng(seed).random(rows) < BASE_ERROR).astype(int)
        for a in alarms(errors, window=window):
            counts[a.detector] += 1
        counts["window rule"] += len(window_rule_alarms(errors, window))
    return {d: 1000 * c / (seeds * rows) for d, c in counts.items()}


def summary(delays: list[float | None]) -> tuple[str, str, str, float]:
    found = [d for d in delays if d is not None]
    if not found:
        return "-", "-", f"0/{len(delays)}", math.inf
    median = statistics.median(found)
    return f"{median:.2f}", f"{max(found):.2f}", f"{len(found)}/{len(delays)}", median


def ratio(value: float, baseline: float) -> str:
    if math.isinf(value) or math.isinf(baseline) or baseline == 0:
        return "-"
    return f"{value / baseline:.2f}x"


def print_table(title: str, header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(str(c)) for c in column) for column in zip(header, *rows, strict=True)]
    print(f"\n{title}")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    for row in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--window", type=int, default=100)
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--change", type=int, default=1500)
    args = parser.parse_args()
    window, step = args.window, args.window // 2

    feature_rows = []
    for shift in track(FEATURE_SHIFTS, "feature drift"):
        sliding = feature_delays(shift, args.seeds, args.rows, args.change, window, step)
        consecutive = feature_delays(shift, args.seeds, args.rows, args.change, window, window)
        for measure in MEASURES:
            median, worst, hits, value = summary(sliding[measure])
            *_, base = summary(consecutive[measure])
            feature_rows.append(
                (f"+{shift:g} sd", measure, f"{THRESHOLDS[measure]:g}", median, worst, hits,
                 f"{base:.2f}" if not math.isinf(base) else "-", ratio(value, base))
            )  # fmt: skip
    print_table(
        f"Feature drift: delay in windows of {window} rows (sliding, step {step}) after the change"
        f" at row {args.change}; baseline: consecutive windows",
        ("shift", "measure", "alarm", "median", "max", "found", "baseline", "ratio"),
        feature_rows,
    )
    stationary = feature_false_alarms(args.seeds, args.rows, window, step)
    print("false alarms per 1,000 stationary rows: "
          + ", ".join(f"{m} {v:.2f}" for m, v in stationary.items()))  # fmt: skip

    concept_rows = []
    for after in track(ERROR_RATES, "concept drift"):
        delays = concept_delays(after, args.seeds, args.rows, args.change, window)
        *_, base = summary(delays["window rule"])
        for detector in (*DETECTORS, "window rule"):
            median, worst, hits, value = summary(delays[detector])
            concept_rows.append(
                (f"{BASE_ERROR:g} -> {after:g}", detector, median, worst, hits, ratio(value, base))
            )
    print_table(
        f"Concept drift: delay in windows of {window} labels after the change at label "
        f"{args.change}; ratio against the window rule",
        ("error rate", "detector", "median", "max", "found", "ratio"),
        concept_rows,
    )
    quiet = concept_false_alarms(args.seeds, args.rows, window)
    print("false alarms per 1,000 stationary labels: "
          + ", ".join(f"{d} {v:.2f}" for d, v in quiet.items()))  # fmt: skip


if __name__ == "__main__":
    main()
