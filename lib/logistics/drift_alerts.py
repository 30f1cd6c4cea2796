"""From drift figures to detections, and from detections to the workspace's alerts.

Why a detection fires once per episode: a feature that stays shifted for twenty windows is one
problem, not twenty; a feature detection fires on the first window above the threshold and again
only after a window back below it (concept-drift detectors restart after an alarm on their own).

The split with the workspace: this module decides *what* drifted (it has the training snapshot and
the detectors); the workspace only stores the alert, shows it (``lab_drift_alert`` on
``/metrics``, an ``alert.*`` row in ``read_metrics``, the deployment's history) and starts the
deployment's alert job.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from logistics.concept_drift import ConceptAlarm
from logistics.drift import MEASURES, THRESHOLDS


@dataclass(frozen=True)
class Detection:
    """One detection: ``detector`` saw ``value`` past ``threshold`` in ``window``.

    ``position`` is the last row (0-based, in serving order) the detector had seen when it
    fired, so the delay after a change at row ``c`` is ``position - c`` rows.
    """

    kind: str
    detector: str
    window: int
    position: int
    value: float
    threshold: float
    feature: str = ""

    def alert_fields(self) -> dict[str, Any]:
        """The body of ``WorkspaceClient.create_deployment_alert`` for this detection."""
        fields = asdict(self)
        fields.pop("position")
        return fields

    def format(self) -> str:
        where = f" {self.feature}" if self.feature else ""
        return (
            f"{self.kind}{where}: {self.detector} {self.value:.3f} past {self.threshold:g} "
            f"in window {self.window} (row {self.position})"
        )


def feature_detections(
    drift: pd.DataFrame, *, measure: str = "psi", threshold: float | None = None
) -> list[Detection]:
    """Detections in ``drift_by_window``'s table: per feature, each window where ``measure``
    rises past ``threshold`` (default ``THRESHOLDS[measure]``) after a window at or below it,
    or from the start."""
    if measure not in MEASURES:
        raise ValueError(f"unknown drift measure {measure!r}: use one of {', '.join(MEASURES)}")
    threshold = THRESHOLDS[measure] if threshold is None else threshold
    found = []
    for feature, rows in drift.sort_values("window").groupby("feature", sort=True):
        above = False
        for row in rows.itertuples():
            value = float(getattr(row, measure))
            if value > threshold and not above:
                found.append(
                    Detection(
                        "feature_drift",
                        measure,
                        int(row.window),
                        int(row.last_row),
                        value,
                        threshold,
                        str(feature),
                    )
                )
            above = value > threshold
    return sorted(found, key=lambda d: (d.window, d.feature))


def concept_detections(alarms: list[ConceptAlarm], *, window: int) -> list[Detection]:
    """One detection per concept-drift alarm, its value the error rate of its window."""
    return [
        Detection(
            "concept_drift",
            a.detector,
            a.window(window),
            a.position,
            a.error_rate,
            a.threshold,
        )
        for a in alarms
    ]


def first_detection_after(
    found: list[Detection], change: int, *, detector: str, feature: str = ""
) -> Detection | None:
    """The first detection of ``detector`` (on ``feature``) at or after row ``change``."""
    return next(
        (
            d
            for d in sorted(found, key=lambda d: d.position)
            if d.detector == detector and d.feature == feature and d.position >= change
        ),
        None,
    )
