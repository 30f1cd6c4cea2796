"""Models (a named endpoint with an access key) and their builds."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field, model_validator

from workspace.schemas.common import Record, Strict, UserRef
from workspace.schemas.states import BuildStatus


class ResourceSpec(Strict):
    cpu_millicores: int = Field(default=1000, gt=0)
    memory_mb: int = Field(default=2048, gt=0)
    nvidia_gpus: int = Field(default=0, ge=0)


class ReplicationPolicy(Strict):
    type: Literal["fixed"] = "fixed"
    num_replicas: int = Field(default=1, ge=1, le=64)


class ModelCreate(Strict):
    project_id: str | None = None
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    disable_authentication: bool = False
    registered_model_id: str | None = None
    default_resources: ResourceSpec = Field(default_factory=ResourceSpec)
    default_replication_policy: ReplicationPolicy = Field(default_factory=ReplicationPolicy)


class ModelOut(Record):
    id: str
    project_id: str
    name: str
    description: str
    crn: str
    access_key: str
    auth_enabled: bool
    registered_model_id: str | None
    default_resources: ResourceSpec
    default_replication_policy: ReplicationPolicy
    creator: UserRef
    created_at: datetime
    updated_at: datetime

    @model_validator(mode="before")
    @classmethod
    def _group_defaults(cls, data: Any) -> Any:
        """A model row keeps its default resources in flat columns; the API nests them."""
        if isinstance(data, dict) or not hasattr(data, "default_cpu_millicores"):
            return data
        return {
            **{name: getattr(data, name) for name in cls.model_fields if hasattr(data, name)},
            "default_resources": ResourceSpec(
                cpu_millicores=data.default_cpu_millicores,
                memory_mb=data.default_memory_mb,
                nvidia_gpus=data.default_nvidia_gpus,
            ),
            "default_replication_policy": ReplicationPolicy(num_replicas=data.default_num_replicas),
        }


class ModelList(Record):
    models: list[ModelOut]
    next_page_token: str = ""


class BuildCreate(Strict):
    project_id: str | None = None
    model_id: str | None = None
    file_path: str | None = Field(default=None, description="Entry point, relative to the project.")
    function_name: str | None = None
    kernel: str = "python3"
    runtime_identifier: str = ""
    comment: str = ""
    registered_model_version_id: str | None = Field(
        default=None,
        description="MLflow model version or alias: 'name/3', 'name@champion' or a models:/ URI.",
    )


class BuildOut(Record):
    id: str
    model_id: str
    project_id: str
    crn: str
    file_path: str | None
    function_name: str | None
    kernel: str
    runtime_identifier: str
    registered_model_version_id: str | None
    model_uri: str | None
    comment: str
    status: BuildStatus
    failure_reason: str | None
    built_at: datetime | None
    creator: UserRef
    created_at: datetime
    updated_at: datetime


class BuildList(Record):
    model_builds: list[BuildOut]
    next_page_token: str = ""


class BuildLog(Record):
    log: str
