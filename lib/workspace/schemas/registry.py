"""CML's model registry messages: ``CreateRegisteredModelRequest``, ``RegisteredModel`` and
``RegisteredModelVersion``, over the workspace's MLflow registry.

Why MLflow's names as ids: a registered model *is* an MLflow registered model here, so its id is
its name, and a version's id is ``name/number`` — exactly what ``create_model_build`` takes as
``registered_model_version_id``, so an id read from ``create_registered_model`` builds as is.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from workspace.schemas.common import Record, Strict, Timestamp, UserRef


class Tag(Record):
    key: str
    value: str = ""


class CreateRegisteredModel(Strict):
    """What CML's Mlflow 02 sends: the run, the artifact path of its model and the name."""

    project_id: str = ""
    experiment_id: str = ""
    run_id: str = Field(min_length=1)
    model_path: str = Field(min_length=1)
    model_name: str = Field(
        min_length=1,
        max_length=200,
        pattern=r"^[^/@'\"]+$",
        description="No '/', '@' or quotes: versions are 'name/number', aliases 'name@alias'.",
    )
    tags: list[Tag] = Field(default_factory=list)
    description: str = ""
    notes: str = ""
    visibility: Literal["PRIVATE", "PUBLIC"] = "PRIVATE"


class MlflowMetadata(Record):
    experiment_id: str
    run_id: str
    metrics: list[dict] = Field(default_factory=list)
    params: list[Tag] = Field(default_factory=list)
    tags: list[Tag] = Field(default_factory=list)


class ModelVersionMetadata(Record):
    mlops_type: Literal["MLFLOW", "SIMPLE"] = "MLFLOW"
    tags: list[Tag] = Field(default_factory=list)
    workspace_url: str
    project_id: str
    owner: UserRef
    mlflow_metadata: MlflowMetadata
    simple_metadata: None = None


class RegisteredModelVersionOut(Record):
    model_id: str
    model_version_id: str
    version_name: str
    number: int
    notes: str
    user: UserRef
    created_at: Timestamp
    updated_at: Timestamp
    status: str
    model_version_metadata: ModelVersionMetadata
    tags: list[Tag] = Field(default_factory=list)


class RegisteredModelOut(Record):
    model_id: str
    name: str
    description: str
    owner: UserRef
    permission: str
    visibility: Literal["PRIVATE", "PUBLIC"]
    created_at: Timestamp
    updated_at: Timestamp
    count: int
    model_versions: list[RegisteredModelVersionOut]
    next_page_token: str = ""


class RegisteredModelList(Record):
    models: list[RegisteredModelOut]
    next_page_token: str = ""
