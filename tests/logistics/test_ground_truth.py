"""Delayed ground truth of served classifier predictions, and accuracy per window of them."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from logistics.ground_truth import accuracy_windows, labelled_predictions
from logistics.telemetry_schema import SIGNALS


def request(*features: float) -> dict:
    return {"dataframe_split": {"columns": list(SIGNALS), "data": [list(features)]}}


def record(index: int, start_ms: float, response, *, error=None, uuid="u") -> SimpleNamespace:
    return SimpleNamespace(
        index=index, start_ms=start_ms, response=response, error=error, uuid=f"{uuid}{index}"
    )


def test_each_answered_prediction_carries_its_label_and_the_features_it_was_sent() -> None:
    requests = [request(1, 2, 3, 4), request(5, 6, 7, 8)]
    records = [record(0, 1000.0, [1]), record(1, 1010.0, [[0]])]
    first, second = labelled_predictions(records, [1, 1], requests)
    assert first.delayed_metrics() == {
        "final_label": 1,
        "prediction": 1,
        "input": dict(zip(SIGNALS, [1, 2, 3, 4], strict=True)),
    }
    assert (first.uuid, first.correct) == ("u0", True)
    assert (second.prediction, second.correct) == (0, False)


def test_failed_or_untracked_requests_get_no_label() -> None:
    requests = [request(1, 2, 3, 4)] * 3
    records = [record(0, 0, [1]), record(1, 1, None, error="HTTP 500"), record(2, 2, [1])]
    records[2].uuid = None
    assert [p.uuid for p in labelled_predictions(records, [1, 1, 1], requests)] == ["u0"]


def test_labels_must_line_up_with_the_records() -> None:
    with pytest.raises(ValueError):
        labelled_predictions([record(0, 0, [1])], [1, 0], [request(1, 2, 3, 4)])


def test_accuracy_windows_cover_consecutive_predictions_without_overlapping() -> None:
    requests = [request(1, 2, 3, 4)] * 5
    records = [record(i, 100.0 * i, [i % 2]) for i in range(5)]
    labelled = labelled_predictions(records, [0, 1, 1, 1, 0], requests)
    windows = accuracy_windows(labelled, 2)
    assert [(w.number, w.accuracy, w.predictions) for w in windows] == [
        (1, 1.0, 2),
        (2, 0.5, 2),
        (3, 1.0, 1),
    ]
    assert [(w.start_ms, w.end_ms) for w in windows] == [(0, 101), (200, 301), (400, 401)]
    assert windows[1].aggregate_metrics() == {"accuracy": 0.5, "predictions": 2}
    assert windows[1].format() == "window 2: accuracy 0.500 over 2 predictions"


def test_a_window_needs_at_least_one_prediction() -> None:
    with pytest.raises(ValueError, match="window size"):
        accuracy_windows([], 0)
