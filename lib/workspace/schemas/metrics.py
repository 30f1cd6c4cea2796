"""Model metrics as CML's ``cdsw`` reads and writes them: per prediction, delayed, aggregate."""

from __future__ import annotations

from typing import Any

from pydantic import AliasChoices, Field

from workspace.schemas.common import Record, Strict


def _either(name: str, column: str) -> Any:
    """The API's camelCase name, or the metric table's column it is read from."""
    return Field(validation_alias=AliasChoices(name, column))


class MetricRow(Record):
    modelCrn: str = _either("modelCrn", "model_crn")
    modelBuildCrn: str = _either("modelBuildCrn", "build_crn")
    modelDeploymentCrn: str = _either("modelDeploymentCrn", "deployment_crn")
    startTimeStampMs: int = _either("startTimeStampMs", "start_ms")
    endTimeStampMs: int = _either("endTimeStampMs", "end_ms")
    predictionUuid: str = _either("predictionUuid", "prediction_uuid")
    metrics: dict[str, Any]
    latencyMs: float | None = Field(
        default=None, validation_alias=AliasChoices("latencyMs", "latency_ms")
    )
    replicaId: str | None = Field(
        default=None, validation_alias=AliasChoices("replicaId", "replica_id")
    )
    statusCode: int | None = Field(
        default=None, validation_alias=AliasChoices("statusCode", "status_code")
    )


class MetricRows(Record):
    metrics: list[MetricRow]
    next_page_token: str = ""


class DelayedMetrics(Strict):
    prediction_uuid: str = Field(min_length=1)
    metrics: dict[str, Any]


class AggregateMetrics(Strict):
    metrics: dict[str, Any]
    start_timestamp_ms: int = Field(ge=0)
    end_timestamp_ms: int = Field(ge=0)
    model_deployment_crn: str = Field(min_length=1)
