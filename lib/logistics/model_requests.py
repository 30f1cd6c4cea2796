"""The requests the lab sends its models: upstream test requests, and load cut from the lakehouse.

Why one place: the deployment steps, the load steps and the demo's summary must send each model
the same test request, and a load step must pick the request kind the model expects from its name.
"""

from __future__ import annotations

from typing import Literal

from logistics.payloads import (
    TelemetrySample,
    classifier_requests,
    pattern_requests,
    window_requests,
)
from logistics.telemetry_schema import SIGNALS

PayloadKind = Literal["pattern", "window", "classifier"]

PATTERN_TEST_REQUEST = {"pattern": [54, 53, 52, 51]}
"""The lab's TimeSeriesQuery test request."""

CLASSIFIER_SEED_REQUEST = {
    "dataframe_split": {"columns": list(SIGNALS), "data": [[35.5, 200.5, 30.5, 14.5]]}
}
"""The lab's IoT failure classifier test request, in MLflow's ``dataframe_split`` format."""

PAYLOAD_BY_MODEL: dict[str, PayloadKind] = {"TimeSeriesQuery": "pattern", "MultiDimMotif": "window"}
WINDOWS_PER_PATTERN = 25
"""A window request carries 240 readings of four signals: send fewer of them than patterns."""


def payload_kind(model_name: str, kind: PayloadKind | None = None) -> PayloadKind:
    """``kind`` when given, else the kind the model expects (unknown models are classifiers)."""
    return kind or PAYLOAD_BY_MODEL.get(model_name, "classifier")


def load_requests(kind: PayloadKind | None, model_name: str, n: int) -> list[dict]:
    """About ``n`` requests of the kind the model expects, cut from the lakehouse telemetry.

    Classifier requests come from ``iot_fleet``, the others from ``fleet_telemetry``; a missing
    table raises ``TableNotFound`` naming the step that creates it.
    """
    kind = payload_kind(model_name, kind)
    if kind == "classifier":
        return classifier_requests(TelemetrySample.load(table="iot_fleet"), n)
    sample = TelemetrySample.load()
    if kind == "pattern":
        return pattern_requests(sample, n)
    return window_requests(sample, max(1, n // WINDOWS_PER_PATTERN))
