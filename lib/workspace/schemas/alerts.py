"""Alerts a monitoring job raises on a deployment, the job they start, and the training snapshot
its drift is measured against (alerts show in the deployment's history as ``alert`` events).

Why the workspace takes figures and does not compute them: what drift means is the model's
business (which features, which reference, which detector); the workspace stores an alert once,
shows it everywhere a user looks (``/metrics``, ``read_metrics``, the deployment's history) and
acts on it (starts the deployment's alert job).
"""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, model_validator

from workspace.schemas.common import Record, Strict

ALERT_KINDS = ("feature_drift", "concept_drift")
METRIC_PREFIX = "alert."
"""Metric names of an alert's row in ``read_metrics`` (``alert.kind``, ``alert.value``...)."""

Name = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")


class AlertCreate(Strict):
    """One detection: ``detector`` saw ``value`` (past ``threshold``) in ``window``.

    ``feature_drift``: a feature's served distribution moved away from the training snapshot
    (``feature`` names it; the deployment's build must record that snapshot). ``concept_drift``:
    the delayed-label error stream changed.
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    kind: Literal["feature_drift", "concept_drift"]
    detector: str = Name
    value: float
    threshold: float | None = None
    feature: str = Field(default="", max_length=100, pattern=r"^[A-Za-z0-9_.:-]*$")
    window: int | None = Field(default=None, ge=1)
    start_timestamp_ms: int | None = Field(default=None, ge=0)
    end_timestamp_ms: int | None = Field(default=None, ge=0)
    message: str = Field(default="", max_length=1000)

    @model_validator(mode="after")
    def _consistent(self) -> AlertCreate:
        if self.kind == "feature_drift" and not self.feature:
            raise ValueError("feature: a feature_drift alert names the feature that drifted")
        start, end = self.start_timestamp_ms, self.end_timestamp_ms
        if start is not None and end is not None and end < start:
            raise ValueError("end_timestamp_ms is before start_timestamp_ms")
        return self


class AlertOut(Record):
    deployment_id: str
    kind: str
    detector: str
    feature: str
    value: float
    threshold: float | None
    window: int | None
    start_timestamp_ms: int
    end_timestamp_ms: int
    message: str
    job_run_id: str = ""
    """The run of the deployment's alert job this alert started; empty when none."""


class AlertActionIn(Strict):
    job_id: str = Field(min_length=1, max_length=32)
    """A job of the deployment's project, run on each alert while no run of it is active."""


class AlertActionOut(Record):
    deployment_id: str
    job_id: str


class TrainingSnapshotOut(Record):
    table: str
    snapshot_id: str
    run_id: str
    registered_model_version_id: str
