"""Models (a named endpoint with an access key) and their builds."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from workspace.schemas.common import Int64, OptionalText, Record, Strict, Timestamp, UserRef
from workspace.schemas.states import BuildStatus


class ShortProject(Record):
    """CML's ``ShortProject``: the project a model or job belongs to."""

    public_identifier: str
    name: str
    default_project_engine: str = "ml_runtime"
    slug: str

    @model_validator(mode="before")
    @classmethod
    def _from_row(cls, data: Any) -> Any:
        if isinstance(data, dict) or not hasattr(data, "name"):
            return data
        slug = re.sub(r"[^a-z0-9]+", "-", data.name.lower()).strip("-")
        return {"public_identifier": data.id, "name": data.name, "slug": slug}


class ResourceSpec(Strict):
    """CML's ``DefaultResources`` (int64 fields: JSON strings in answers)."""

    cpu_millicores: Annotated[Int64, Field(gt=0)] = 1000
    memory_mb: Annotated[Int64, Field(gt=0)] = 2048
    nvidia_gpus: Annotated[Int64, Field(ge=0)] = 0


class ReplicationPolicy(Strict):
    """CML's ``DefaultReplicationPolicy``."""

    type: Literal["fixed"] = "fixed"
    num_replicas: Annotated[Int64, Field(ge=1, le=64)] = 1


class ModelCreate(Strict):
    project_id: str | None = None
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    disable_authentication: bool = False
    registered_model_id: str | None = None
    run_as: int | None = Field(default=None, description="Accepted; models run as their creator.")
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
    registered_model_id: OptionalText
    default_resources: ResourceSpec
    default_replication_policy: ReplicationPolicy
    project: ShortProject
    visibility: str = "private"
    deletion_status: str = ""
    run_as: int = 0
    creator: UserRef
    created_at: Timestamp
    updated_at: Timestamp

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
    runtime_addon_identifiers: list[str] = Field(default_factory=list)
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
    file_path: OptionalText
    function_name: OptionalText
    kernel: str
    runtime_identifier: str
    registered_model_version_id: OptionalText
    model_uri: str | None
    comment: str
    runtime_addon_identifiers: list[str] = Field(default_factory=list)
    engine_image: str = ""
    deletion_status: str = ""
    status: BuildStatus
    failure_reason: str | None
    built_at: Timestamp | None
    creator: UserRef
    created_at: Timestamp
    updated_at: Timestamp


class BuildList(Record):
    model_builds: list[BuildOut]
    next_page_token: str = ""


class BuildLog(Record):
    log: str
