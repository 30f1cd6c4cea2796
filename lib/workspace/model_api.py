"""What model and job code imports, the role ``cdsw`` plays in CML.

Inside a replica: ``track_metric`` and ``model_metrics`` attach metrics and the prediction uuid to
the request being served (``workspace.replica.prediction``). Anywhere: the calls below go to the
workspace over HTTP with the LAB_API_URL / LAB_API_KEY the replica or job run was given, outside
the request path (or after it).
"""

from __future__ import annotations

import os
from typing import Any

from workspace.replica.prediction import (
    PredictionContext,
    current_prediction,
    model_metrics,
    prediction_context,
    track_metric,
)

__all__ = [
    "PredictionContext",
    "call_model",
    "current_prediction",
    "model_metrics",
    "prediction_context",
    "read_metrics",
    "track_aggregate_metrics",
    "track_delayed_metrics",
    "track_metric",
]


def _client() -> Any:
    from workspace.client import WorkspaceClient

    return WorkspaceClient()


def track_delayed_metrics(metrics: dict[str, Any], prediction_uuid: str) -> None:
    """Merge metrics learnt later (e.g. the true label) into an earlier prediction's row."""
    _client().track_delayed_metrics(metrics, prediction_uuid)


def track_aggregate_metrics(
    metrics: dict[str, Any],
    start_timestamp_ms: int,
    end_timestamp_ms: int,
    model_deployment_crn: str | None = None,
) -> None:
    """Store a metric over a time window; inside a replica the deployment defaults to its own."""
    crn = model_deployment_crn or os.environ.get("LAB_MODEL_DEPLOYMENT_CRN")
    if not crn:
        raise ValueError("model_deployment_crn is required outside a model replica")
    _client().track_aggregate_metrics(
        metrics,
        start_timestamp_ms=start_timestamp_ms,
        end_timestamp_ms=end_timestamp_ms,
        model_deployment_crn=crn,
    )


def read_metrics(
    model_crn: str | None = None,
    model_deployment_crn: str | None = None,
    start_timestamp_ms: int | None = None,
    end_timestamp_ms: int | None = None,
) -> dict[str, Any]:
    """``{"metrics": [{"modelCrn", ..., "predictionUuid", "metrics": {...}}]}``, as in CML."""
    answer = _client().read_metrics(
        model_crn=model_crn,
        model_deployment_crn=model_deployment_crn,
        start_timestamp_ms=start_timestamp_ms,
        end_timestamp_ms=end_timestamp_ms,
    )
    return answer.to_dict()


def call_model(model_access_key: str, ipt: Any) -> dict[str, Any]:
    """Call a deployed model by its access key; the CML answer ``{"success", "response", ...}``."""
    return _client().call_model(model_access_key, ipt)
