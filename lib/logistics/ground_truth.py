"""The classifier's ground truth, reported after its predictions as CML's delayed metrics are.

Why: a failure is known only after the prediction was served, so each true label is reported later
against its prediction's uuid (``track_delayed_metrics``), and the accuracy of each window of
predictions as an aggregate metric over that window's time range (``track_aggregate_metrics``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from logistics.telemetry_schema import SIGNALS


class ServedRecord(Protocol):
    """What a load run records of one request (``workspace.load.RequestRecord`` has these)."""

    index: int
    start_ms: float
    error: str | None
    uuid: str | None
    response: Any


@dataclass(frozen=True)
class LabelledPrediction:
    """One served prediction with the true label that arrived after it."""

    uuid: str
    start_ms: float
    prediction: int
    final_label: int
    features: dict[str, float]

    @property
    def correct(self) -> bool:
        return self.prediction == self.final_label

    def delayed_metrics(self) -> dict[str, Any]:
        """The body of ``track_delayed_metrics`` for this prediction."""
        return {
            "final_label": self.final_label,
            "prediction": self.prediction,
            "input": self.features,
        }


def labelled_predictions(
    records: Sequence[ServedRecord], labels: Iterable[int], requests: Sequence[dict]
) -> list[LabelledPrediction]:
    """Pair every answered request with its label; failed or untracked requests are skipped.

    ``records`` and ``labels`` line up one to one (the load run keeps request order); the features
    are read back from the ``dataframe_split`` request the record answered.
    """
    labelled = []
    for record, label in zip(records, labels, strict=True):
        if record.error is not None or record.uuid is None:
            continue
        features = requests[record.index]["dataframe_split"]["data"][0]
        labelled.append(
            LabelledPrediction(
                uuid=record.uuid,
                start_ms=record.start_ms,
                prediction=int(np.ravel(record.response)[0]),
                final_label=int(label),
                features=dict(zip(SIGNALS, features, strict=True)),
            )
        )
    return labelled


@dataclass(frozen=True)
class AccuracyWindow:
    """The accuracy of consecutive predictions, over the time range they were served in."""

    number: int
    accuracy: float
    predictions: int
    start_ms: int
    end_ms: int

    def aggregate_metrics(self) -> dict[str, Any]:
        """The body of ``track_aggregate_metrics`` for this window."""
        return {"accuracy": self.accuracy, "predictions": self.predictions}

    def format(self) -> str:
        return (
            f"window {self.number}: accuracy {self.accuracy:.3f} "
            f"over {self.predictions} predictions"
        )


def accuracy_windows(labelled: Sequence[LabelledPrediction], size: int) -> list[AccuracyWindow]:
    """Accuracy of every ``size`` predictions in order; the last window may be shorter.

    A window's end is one millisecond past its last prediction's start, so ranges do not overlap.
    """
    if size <= 0:
        raise ValueError(f"window size must be > 0, got {size}")
    windows = []
    for number, start in enumerate(range(0, len(labelled), size), start=1):
        window = labelled[start : start + size]
        windows.append(
            AccuracyWindow(
                number=number,
                accuracy=float(np.mean([p.correct for p in window])),
                predictions=len(window),
                start_ms=int(window[0].start_ms),
                end_ms=int(window[-1].start_ms) + 1,
            )
        )
    return windows
