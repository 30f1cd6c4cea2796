"""Prediction metrics and the model endpoint, as CML's ``cdsw`` module offers them to model code.

Why beside the client and not only in ``workspace.model_api``: monitoring scripts read metrics and
call endpoints from outside any replica, with the same key and errors as every other call.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from workspace.client._connection import Connection
from workspace.client._http import V2
from workspace.schemas import MetricRows, PredictionLineage


def read_metrics(
    client: Connection,
    *,
    model_crn: str | None = None,
    model_deployment_crn: str | None = None,
    start_timestamp_ms: int | None = None,
    end_timestamp_ms: int | None = None,
    page_size: int | None = None,
    page_token: str | None = None,
) -> MetricRows:
    """One row per prediction (and per aggregate) of a model or one of its deployments, in time
    order; give ``model_crn`` or ``model_deployment_crn``. Every page is read unless a
    ``page_token`` asks for one page (then ``next_page_token`` names the next)."""
    params = {
        "model_crn": model_crn,
        "model_deployment_crn": model_deployment_crn,
        "start_timestamp_ms": start_timestamp_ms,
        "end_timestamp_ms": end_timestamp_ms,
        "page_size": page_size,
        "page_token": page_token,
    }
    page = MetricRows.model_validate(client.http.request("GET", f"{V2}/metrics", params=params))
    if page_token is not None:
        return page
    rows = list(page.metrics)
    while page.next_page_token:
        params["page_token"] = page.next_page_token
        page = MetricRows.model_validate(client.http.request("GET", f"{V2}/metrics", params=params))
        rows += page.metrics
    return MetricRows(metrics=rows)


def track_delayed_metrics(
    client: Connection, metrics: dict[str, Any], *, prediction_uuid: str
) -> None:
    """Merge metrics known only later (e.g. the true label) into that prediction's row."""
    body = {"metrics": metrics, "prediction_uuid": prediction_uuid}
    client.http.request("POST", f"{V2}/metrics/delayed", json_body=body)


def track_aggregate_metrics(
    client: Connection,
    metrics: dict[str, Any],
    *,
    start_timestamp_ms: int,
    end_timestamp_ms: int,
    model_deployment_crn: str,
) -> None:
    """A metric over a time window of a deployment (e.g. accuracy of the last hour)."""
    body = {
        "metrics": metrics,
        "start_timestamp_ms": start_timestamp_ms,
        "end_timestamp_ms": end_timestamp_ms,
        "model_deployment_crn": model_deployment_crn,
    }
    client.http.request("POST", f"{V2}/metrics/aggregate", json_body=body)


def get_prediction_lineage(client: Connection, prediction_uuid: str) -> PredictionLineage:
    """From a prediction (its ``PredictionUUID``) to its deployment, build, model, MLflow run,
    parameters and training data snapshot; ``NotFound`` names an unknown uuid."""
    path = f"{V2}/predictions/{quote(prediction_uuid, safe='')}/lineage"
    return PredictionLineage.model_validate(client.http.request("GET", path))


def call_model(
    client: Connection, access_key: str, request: Any, *, timeout: float | None = None
) -> dict[str, Any]:
    """POST /model; the whole CML answer ``{"success", "response", "ReplicaID"}``.

    The answer stays the endpoint's JSON: ``response`` is whatever the model returned.
    """
    body = {"accessKey": access_key, "request": request}
    return client.http.request("POST", "/model", json_body=body, timeout=timeout)
