"""Accuracy and feature drift of the served failure classifier, from its tracked metrics.

Why from the tracked metrics: every prediction tracked its input and, later, its true label (see
``logistics.ground_truth``), so the monitoring reads what was really served rather than replaying
requests, and the figure puts accuracy and drift on the same axis of requests served so a drop lines
up with the feature that moved and with the alerts raised.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from logistics.drift import THRESHOLDS
from logistics.drift_alerts import Detection
from logistics.telemetry_schema import SIGNALS

INPUT_PREFIX = "metrics.input."


def served_inputs(predictions: pd.DataFrame) -> pd.DataFrame:
    """Predictions that tracked their input, in serving order, the signals under their own names.

    ``predictions`` is one row per prediction with tracked values as ``metrics.*`` columns (as
    ``workspace.monitoring.requests_frame`` flattens ``read_metrics``); ``ValueError`` when none
    carries the ground truth yet.
    """
    first = f"{INPUT_PREFIX}{SIGNALS[0]}"
    tracked = predictions.dropna(subset=[first]) if first in predictions else predictions.iloc[0:0]
    if tracked.empty:
        raise ValueError(
            "no predictions with ground truth yet: run mlflow_project/06_model_simulation.py first"
        )
    return tracked.rename(columns={f"{INPUT_PREFIX}{s}": s for s in SIGNALS})


def prediction_errors(served: pd.DataFrame) -> pd.Series:
    """1 where a prediction differed from its delayed label, in serving order: the stream the
    concept-drift detectors read."""
    return (served["metrics.final_label"] != served["metrics.prediction"]).astype(int)


def accuracy_by_window(served: pd.DataFrame, window: int) -> pd.Series:
    """Share of predictions equal to their delayed label, per window of ``window`` predictions.

    Indexed by window number from 1, like ``drift.drift_by_window``.
    """
    if window <= 0:
        raise ValueError(f"window must be > 0, got {window}")
    correct = served["metrics.final_label"] == served["metrics.prediction"]
    numbers = pd.Series(range(len(served)), index=served.index) // window + 1
    return correct.groupby(numbers).mean()


def reported_accuracy(aggregates: pd.DataFrame) -> pd.Series:
    """The accuracy the simulation reported per window (aggregate metrics), in time order."""
    column = "metrics.accuracy"
    if column not in aggregates:
        return pd.Series(dtype=float)
    return aggregates[column].dropna().reset_index(drop=True)


def save_accuracy_drift_figure(
    accuracy: pd.Series,
    aggregate_accuracy: pd.Series,
    drift: pd.DataFrame,
    path: Path,
    *,
    title: str,
    window: int,
    detections: Sequence[Detection] = (),
    measure: str = "psi",
) -> Path:
    """Accuracy per window above ``measure`` per feature and window, as one PNG at ``path``.

    The x axis counts requests served, so consecutive accuracy windows, sliding drift windows and
    detections line up: concept-drift detections are bands on the accuracy panel, feature-drift
    detections markers on the drift panel. ``aggregate_accuracy`` (the windows the simulation
    reported, in order) is drawn dashed when there is any, so the two accuracy measures can be
    checked against each other.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path.parent.mkdir(parents=True, exist_ok=True)
    fig, (acc_ax, drift_ax) = plt.subplots(2, 1, figsize=(10, 6), sharex=True)
    ends = accuracy.index.to_numpy() * window
    acc_ax.plot(ends, accuracy.to_numpy(), marker="o", label="accuracy (delayed labels)")
    if not aggregate_accuracy.empty:
        acc_ax.plot(
            [n * window for n in range(1, len(aggregate_accuracy) + 1)],
            aggregate_accuracy.to_numpy(),
            linestyle="--",
            label="aggregate metric",
        )
    concept = [d for d in detections if d.kind == "concept_drift"]
    for n, d in enumerate(concept):
        start = (d.window - 1) * window
        label = "concept-drift alert" if n == 0 else None
        acc_ax.axvspan(start, start + window, color="tab:red", alpha=0.15, label=label)
        acc_ax.annotate(d.detector, (d.position, acc_ax.get_ylim()[0]), fontsize=7, rotation=90)
    acc_ax.set_ylabel("accuracy")
    acc_ax.legend(fontsize=7)
    for feature, g in drift.groupby("feature"):
        drift_ax.plot(g.last_row + 1, g[measure], marker=".", label=feature)
    features = [d for d in detections if d.kind == "feature_drift" and d.detector == measure]
    if features:
        drift_ax.scatter(
            [d.position + 1 for d in features],
            [d.value for d in features],
            s=120,
            facecolors="none",
            edgecolors="tab:red",
            linewidths=2,
            zorder=3,
            label="feature-drift alert",
        )
    level = THRESHOLDS[measure]
    drift_ax.axhline(level, color="tab:red", linestyle="--", label=f"alarm ({measure} {level:g})")
    drift_ax.set_ylabel(f"{measure.upper()} vs training data")
    drift_ax.set_xlabel(f"requests served (windows of {window})")
    drift_ax.legend(fontsize=7)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def shifted_features(drift: pd.DataFrame) -> list[str]:
    """Features judged shifted (by PSI) in any window, sorted by name."""
    return sorted(set(drift[drift.verdict == "shifted"].feature))
