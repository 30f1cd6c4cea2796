"""What model code imports inside a replica, the role ``cdsw`` plays in CML.

Request-scoped part (this file, fixed contract between the replica server and model code):
the replica wraps every call of the model function in ``prediction_context()``; model code calls
``track_metric`` and may decorate its function with ``model_metrics`` so its answer becomes
``{"prediction": <value>, "uuid": "<predictionUuid>"}`` as in CML. The replica returns the
collected ``metrics`` and ``uuid`` to the router, which stores them.
"""

from __future__ import annotations

import functools
import uuid as _uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any


@dataclass
class PredictionContext:
    """One prediction being served: its uuid and the metrics model code tracked for it."""

    uuid: str = field(default_factory=lambda: str(_uuid.uuid4()))
    metrics: dict[str, Any] = field(default_factory=dict)


_current: ContextVar[PredictionContext | None] = ContextVar("prediction", default=None)


@contextmanager
def prediction_context() -> Iterator[PredictionContext]:
    """Open the context the replica server puts around each model call."""
    ctx = PredictionContext()
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


def current_prediction() -> PredictionContext | None:
    return _current.get()


def track_metric(key: str, value: Any) -> None:
    """Attach a JSON-serialisable value to the prediction being served (no-op outside a replica)."""
    ctx = _current.get()
    if ctx is not None:
        ctx.metrics[key] = value


def model_metrics(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a model function so its answer carries the prediction uuid, as CML does."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> dict[str, Any]:
        ctx = _current.get()
        result = fn(*args, **kwargs)
        return {"prediction": result, "uuid": ctx.uuid if ctx else str(_uuid.uuid4())}

    wrapper.__lab_model_metrics__ = True  # type: ignore[attr-defined]
    return wrapper


# HTTP part: what model and job code calls on the workspace, as ``cdsw`` offers in CML. These run
# outside the request path (or after it), with LAB_API_URL / LAB_API_KEY the replica was given.


def _client() -> Any:
    from workspace.client import WorkspaceClient

    return WorkspaceClient()


def track_delayed_metrics(metrics: dict[str, Any], prediction_uuid: str) -> None:
    """Merge metrics learnt later (e.g. the true label) into an earlier prediction's row."""
    _client().track_delayed_metrics(metrics, prediction_uuid=prediction_uuid)


def track_aggregate_metrics(
    metrics: dict[str, Any],
    start_timestamp_ms: int,
    end_timestamp_ms: int,
    model_deployment_crn: str | None = None,
) -> None:
    """Store a metric over a time window; inside a replica the deployment defaults to its own."""
    import os

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
