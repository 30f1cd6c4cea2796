"""Accuracy and drift of the served classifier, read from its tracked metrics."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from logistics.classifier_monitoring import (
    accuracy_by_window,
    prediction_errors,
    reported_accuracy,
    save_accuracy_drift_figure,
    served_inputs,
    shifted_features,
)
from logistics.concept_drift import alarms
from logistics.drift import drift_by_window
from logistics.drift_alerts import concept_detections, feature_detections
from logistics.telemetry_schema import SIGNALS


def predictions(n: int, *, shift: float = 0.0, wrong_every: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({f"metrics.input.{s}": rng.normal(50, 5, n) for s in SIGNALS})
    frame[f"metrics.input.{SIGNALS[-1]}"] += shift
    frame["metrics.final_label"] = 1
    frame["metrics.prediction"] = [
        0 if wrong_every and i % wrong_every == 0 else 1 for i in range(n)
    ]
    return frame


def test_served_inputs_name_the_signals_and_skip_predictions_without_input() -> None:
    frame = predictions(4)
    frame.loc[1, "metrics.input.iot_signal_1"] = np.nan
    served = served_inputs(frame)
    assert list(served.index) == [0, 2, 3]
    assert set(SIGNALS) <= set(served.columns)


@pytest.mark.parametrize("frame", [pd.DataFrame(columns=["start"]), predictions(0)])
def test_no_ground_truth_yet_says_to_run_the_simulation(frame) -> None:
    with pytest.raises(ValueError, match="06_model_simulation"):
        served_inputs(frame)


def test_accuracy_is_the_share_of_correct_predictions_per_window() -> None:
    accuracy = accuracy_by_window(predictions(10, wrong_every=4), 4)
    assert accuracy.to_dict() == {1: 0.75, 2: 0.75, 3: 0.5}


def test_reported_accuracy_is_empty_without_aggregate_windows() -> None:
    assert reported_accuracy(pd.DataFrame(columns=["startTimeStampMs"])).empty
    aggregates = pd.DataFrame({"metrics.accuracy": [0.9, np.nan, 0.8]})
    assert reported_accuracy(aggregates).tolist() == [0.9, 0.8]


def test_the_figure_shows_accuracy_over_drift_and_names_the_shifted_feature(tmp_path: Path) -> None:
    reference = served_inputs(predictions(400))
    current = served_inputs(
        pd.concat([predictions(100), predictions(100, shift=15)], ignore_index=True)
    )
    drift = drift_by_window(reference, current, SIGNALS, 100)
    assert shifted_features(drift) == [SIGNALS[-1]]
    path = save_accuracy_drift_figure(
        accuracy_by_window(current, 100),
        pd.Series([0.9, 0.7]),
        drift,
        tmp_path / "plots" / "clf-accuracy-drift.png",
        title="clf v1: accuracy and drift",
        window=100,
    )
    assert path.read_bytes()[:4] == b"\x89PNG"


def test_errors_are_the_predictions_that_missed_their_label() -> None:
    assert prediction_errors(predictions(5, wrong_every=2)).tolist() == [1, 0, 1, 0, 1]


def test_the_figure_marks_feature_and_concept_drift_alerts(tmp_path: Path) -> None:
    reference = served_inputs(predictions(400))
    current = served_inputs(
        pd.concat([predictions(400), predictions(400, shift=15, wrong_every=2)], ignore_index=True)
    )
    drift = drift_by_window(reference, current, SIGNALS, 100, step=50)
    found = feature_detections(drift) + concept_detections(
        alarms(prediction_errors(current), window=100), window=100
    )
    assert {d.kind for d in found} == {"feature_drift", "concept_drift"}
    assert {d.feature for d in found if d.kind == "feature_drift"} == {SIGNALS[-1]}
    path = save_accuracy_drift_figure(
        accuracy_by_window(current, 100),
        pd.Series(dtype=float),
        drift,
        tmp_path / "clf-alerts.png",
        title="clf v1: alerts",
        window=100,
        detections=found,
    )
    assert path.read_bytes()[:4] == b"\x89PNG"
