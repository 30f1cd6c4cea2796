"""A deployment's alerts, alert job and training snapshot, from monitoring code (its history,
where alerts show as ``alert`` events, is ``list_deployment_events``).

Why beside the metric calls: a monitoring job measures drift with the domain's code and hands the
workspace only what it detected; the workspace shows it (``/metrics``, ``read_metrics``, the
history) and starts the deployment's alert job.
"""

from __future__ import annotations

from typing import Any

from workspace.client._connection import Connection
from workspace.client._model_calls import _deployment_path
from workspace.schemas.alerts import AlertActionOut, AlertOut, TrainingSnapshotOut


def create_deployment_alert(
    client: Connection,
    *,
    project_id: str | None = None,
    model_id: str,
    build_id: str,
    deployment_id: str,
    kind: str,
    detector: str,
    value: float,
    **fields: Any,
) -> AlertOut:
    """Raise an alert (``kind`` ``feature_drift`` or ``concept_drift``); other fields:
    ``threshold``, ``feature``, ``window``, ``start_timestamp_ms``, ``end_timestamp_ms``,
    ``message``. ``Conflict`` for feature drift on a build without a training snapshot."""
    path = _deployment_path(client, project_id, model_id, build_id, deployment_id)
    body = {"kind": kind, "detector": detector, "value": value, **fields}
    return AlertOut.model_validate(client.http.request("POST", path + "/alerts", json_body=body))


def get_training_snapshot(
    client: Connection,
    *,
    project_id: str | None = None,
    model_id: str,
    build_id: str,
    deployment_id: str,
) -> TrainingSnapshotOut:
    """The table snapshot the deployed model learnt from (``Conflict`` saying what is missing)."""
    path = _deployment_path(client, project_id, model_id, build_id, deployment_id)
    return TrainingSnapshotOut.model_validate(
        client.http.request("GET", path + "/training_snapshot")
    )


def set_alert_action(
    client: Connection,
    *,
    project_id: str | None = None,
    model_id: str,
    build_id: str,
    deployment_id: str,
    job_id: str,
) -> AlertActionOut:
    """Make every alert on the deployment start a run of ``job_id`` (a job of its project)."""
    path = _deployment_path(client, project_id, model_id, build_id, deployment_id)
    data = client.http.request("PUT", path + "/alert_action", json_body={"job_id": job_id})
    return AlertActionOut.model_validate(data)
