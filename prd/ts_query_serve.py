"""TimeSeriesQuery model endpoint: the best matches of a pattern across the fleet.

Build (in the PRD project, made from ``prd/``) with ``file_path="ts_query_serve.py"`` and
``function_name="predict"``. The replica calls
``warmup()`` before it reports ready: the fleet is read from Iceberg at ``LAB_SNAPSHOT_ID`` (the
latest snapshot when unset) and indexed once.

    predict({"pattern": [54, 53, 52, 51]})
    -> {"data": {...}, "nearest_neighbor": 66, "matches": [{"device_id", "event_ts", "index",
        "distance"}, ...]}
"""

from logistics.timeseries.serving import TimeSeriesQueryModel, snapshot_from_environment
from workspace.model_api import track_metric

_model: TimeSeriesQueryModel | None = None


def warmup() -> TimeSeriesQueryModel:
    """Read the pinned snapshot, build the index and answer the example request once."""
    global _model
    if _model is None:
        model = TimeSeriesQueryModel.from_lakehouse(snapshot_from_environment())
        model.warmup()
        _model = model
    return _model


def predict(args):
    """Answer one TimeSeriesQuery request; bad input raises ValueError (a 4xx answer)."""
    track_metric("input", args)
    result = warmup().predict(args)
    track_metric("nearest_neighbor", result["nearest_neighbor"])
    return result
