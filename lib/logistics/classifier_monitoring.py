"""Accuracy and feature drift of the served failure classifier, from its tracked metrics.

Why from the tracked metrics: every prediction tracked its input and, later, its true label (see
``logistics.ground_truth``), so the monitoring reads what was really served rather than replaying
requests, and the figure puts accuracy and drift on the same windows so a drop lines up with the
feature that moved.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from logistics.drift import PSI_SHIFTED
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
) -> Path:
    """Accuracy per window above PSI per feature and window, as one PNG at ``path``.

    ``aggregate_accuracy`` (the windows the simulation reported, in order) is drawn dashed when
    there is any, so the two accuracy measures can be checked against each other.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path.parent.mkdir(parents=True, exist_ok=True)
    fig, (acc_ax, psi_ax) = plt.subplots(2, 1, figsize=(10, 6), sharex=True)
    acc_ax.plot(accuracy.index, accuracy.to_numpy(), marker="o", label="accuracy (delayed labels)")
    if not aggregate_accuracy.empty:
        acc_ax.plot(
            range(1, len(aggregate_accuracy) + 1),
            aggregate_accuracy.to_numpy(),
            linestyle="--",
            label="aggregate metric",
        )
    acc_ax.set_ylabel("accuracy")
    acc_ax.legend()
    for feature, g in drift.groupby("feature"):
        psi_ax.plot(g.window, g.psi, marker="o", label=feature)
    psi_ax.axhline(
        PSI_SHIFTED, color="tab:red", linestyle="--", label=f"shifted (PSI {PSI_SHIFTED:g})"
    )
    psi_ax.set_ylabel("PSI vs training data")
    psi_ax.set_xlabel(f"window of {window} requests")
    psi_ax.legend(fontsize=7)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def shifted_features(drift: pd.DataFrame) -> list[str]:
    """Features judged shifted in any window, sorted by name."""
    return sorted(set(drift[drift.verdict == "shifted"].feature))
