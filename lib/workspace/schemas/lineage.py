"""A prediction's lineage: the deployment, build and model that answered it, the MLflow run the
model came from with its parameters, and the table snapshot that run learned from.

Why one answer for the whole chain: an auditor holding a prediction uuid (from ``PredictionUUID``
or a tracked metric row) needs every link at once; each link is also what the console shows.
``gaps`` says, one line each, which links could not be followed and why.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from workspace.schemas.common import Int64, Record, Timestamp


class PredictionRef(Record):
    uuid: str
    served_at: Timestamp
    latency_ms: float | None = None
    status_code: int | None = None
    replica_id: str | None = None


class ProjectRef(Record):
    id: str
    name: str


class ModelRef(Record):
    id: str
    name: str
    crn: str


class DeploymentRef(Record):
    id: str
    crn: str
    status: str
    created_at: Timestamp


class BuildRef(Record):
    id: str
    crn: str
    kind: Literal["files", "registry"]
    file_path: str | None = None
    function_name: str | None = None
    registered_model: str | None = Field(
        default=None, description="Registered model name (registry builds)."
    )
    version: str | None = Field(default=None, description="Registered model version built.")
    alias: str | None = Field(default=None, description="Alias the build resolved, if any.")
    model_reference: str | None = Field(default=None, description="The reference as asked for.")
    files_sha256: str | None = Field(
        default=None, description="SHA-256 over the build's files (project snapshot or model)."
    )
    built_at: Timestamp | None = None


class RunRef(Record):
    run_id: str
    experiment_id: str = ""
    run_name: str = ""
    status: str = ""
    params: dict[str, str] = Field(default_factory=dict)
    metrics: dict[str, float] = Field(default_factory=dict)
    tags: dict[str, str] = Field(
        default_factory=dict, description="The run's lineage tags (iceberg_*, row_count...)."
    )
    url: str = Field(default="", description="The run in the MLflow UI, when MLflow is a server.")


class TrainingData(Record):
    """The table and snapshot the run was tagged with (``iceberg_table``,
    ``iceberg_snapshot_id``, ``iceberg_snapshot_committed_at``, ``iceberg_parent_id``,
    ``row_count``)."""

    table: str
    snapshot_id: Int64 | None = None
    committed_at: datetime | None = None
    parent_id: Int64 | None = None
    row_count: int | None = None


class PredictionLineage(Record):
    prediction: PredictionRef
    project: ProjectRef
    model: ModelRef
    deployment: DeploymentRef
    build: BuildRef
    run: RunRef | None = None
    training_data: TrainingData | None = None
    gaps: list[str] = Field(default_factory=list)
