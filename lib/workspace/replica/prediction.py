"""The prediction being served: the fixed contract between the replica server and model code.

The replica wraps every call of the model function in ``prediction_context()``; model code calls
``track_metric`` and may decorate its function with ``model_metrics`` so its answer becomes
``{"prediction": <value>, "uuid": "<predictionUuid>"}`` as in CML. The replica returns the
collected ``metrics`` and ``uuid`` to the router, which stores them. No I/O here: it runs on the
request path of every prediction.
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
