"""Detections from drift figures: one per feature and episode, with the row it fired at, and the
alert body the workspace takes."""

from __future__ import annotations

import pandas as pd
import pytest
from logistics.concept_drift import ConceptAlarm
from logistics.drift_alerts import (
    concept_detections,
    feature_detections,
    first_detection_after,
)


def table(psis: dict[str, list[float]], window: int = 100) -> pd.DataFrame:
    rows = []
    for feature, values in psis.items():
        for number, value in enumerate(values, start=1):
            start = (number - 1) * window
            rows.append(
                {
                    "window": number,
                    "first_row": start,
                    "last_row": start + window - 1,
                    "feature": feature,
                    "psi": value,
                    "tvd": value / 2,
                }
            )
    return pd.DataFrame(rows)


def test_a_feature_alarms_once_per_episode_above_the_threshold() -> None:
    found = feature_detections(table({"a": [0.0, 0.3, 0.5, 0.1, 0.4], "b": [0.0] * 5}))
    assert [(d.feature, d.window, d.position) for d in found] == [("a", 2, 199), ("a", 5, 499)]
    assert found[0].alert_fields() == {
        "kind": "feature_drift",
        "detector": "psi",
        "window": 2,
        "value": 0.3,
        "threshold": 0.25,
        "feature": "a",
    }


def test_any_measure_can_alarm_and_an_unknown_one_is_refused() -> None:
    found = feature_detections(table({"a": [0.0, 0.3]}), measure="tvd", threshold=0.1)
    assert [(d.detector, d.window) for d in found] == [("tvd", 2)]
    with pytest.raises(ValueError, match="'chi2'"):
        feature_detections(table({"a": [0.0]}), measure="chi2")


def test_concept_alarms_become_detections_and_the_first_after_a_change_is_found() -> None:
    alarms = [ConceptAlarm("ddm", 120, 0.5, 3.0), ConceptAlarm("ddm", 1041, 0.42, 3.0)]
    found = concept_detections(alarms, window=100)
    assert [(d.kind, d.window, d.value) for d in found] == [
        ("concept_drift", 2, 0.5),
        ("concept_drift", 11, 0.42),
    ]
    assert first_detection_after(found, 1000, detector="ddm").position == 1041
    assert first_detection_after(found, 2000, detector="ddm") is None
