"""Request and response bodies of the control plane, named as CML API v2 names them.

Why pydantic models for every route: the OpenAPI page at /docs then documents the API, and wrong
types are refused with a message naming the field before any handler runs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Permission = Literal["viewer", "operator", "admin"]


class Strict(BaseModel):
    """Unknown request fields are refused so a typo does not silently fall back to a default."""

    model_config = ConfigDict(extra="forbid")


class UserRef(BaseModel):
    username: str


class UserCreate(Strict):
    username: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.@-]+$")
    is_admin: bool = False


class UserOut(BaseModel):
    id: str
    username: str
    is_admin: bool
    created_at: datetime


class UserWithKey(UserOut):
    api_key: str = Field(description="Shown once; only its hash is stored.")


class ProjectCreate(Strict):
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    template: Literal["local", "git", "blank"] = "local"
    local_path: str | None = None
    git_url: str | None = None
    environment: dict[str, str] = Field(default_factory=dict)


class ProjectUpdate(Strict):
    description: str | None = None
    environment: dict[str, str] | None = None


class ProjectOut(BaseModel):
    id: str
    name: str
    description: str
    template: str
    local_path: str | None
    git_url: str | None
    status: str
    failure_reason: str | None
    environment: dict[str, str]
    creator: UserRef
    owner: UserRef
    permission: str = Field(description="The caller's role in this project.")
    created_at: datetime
    updated_at: datetime


class ProjectList(BaseModel):
    projects: list[ProjectOut]
    next_page_token: str = ""


class CollaboratorIn(Strict):
    permission: Permission


class CollaboratorOut(BaseModel):
    username: str
    permission: str


class CollaboratorList(BaseModel):
    collaborators: list[CollaboratorOut]
    next_page_token: str = ""


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


class ModelOut(BaseModel):
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


class ModelList(BaseModel):
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


class BuildOut(BaseModel):
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
    status: str
    failure_reason: str | None
    built_at: datetime | None
    creator: UserRef
    created_at: datetime
    updated_at: datetime


class BuildList(BaseModel):
    model_builds: list[BuildOut]
    next_page_token: str = ""


class BuildLog(BaseModel):
    log: str


class DeploymentCreate(Strict):
    project_id: str | None = None
    model_id: str | None = None
    build_id: str | None = None
    cpu: float = Field(default=1.0, gt=0, le=64, description="vCPU per replica.")
    memory: float = Field(default=2.0, gt=0, le=512, description="GB per replica.")
    nvidia_gpus: int = Field(default=0, ge=0)
    replicas: int = Field(default=1, ge=1, le=64)
    environment: dict[str, str] = Field(default_factory=dict)


class DeploymentOut(BaseModel):
    id: str
    model_id: str
    build_id: str
    project_id: str
    crn: str
    cpu: float
    memory: float
    nvidia_gpus: int
    replicas: int
    environment: dict[str, str]
    status: str
    failure_reason: str | None
    deployed_at: datetime | None
    stopped_at: datetime | None
    creator: UserRef
    created_at: datetime
    updated_at: datetime


class DeploymentList(BaseModel):
    model_deployments: list[DeploymentOut]
    next_page_token: str = ""


class ReplicaOut(BaseModel):
    id: str
    deployment_id: str
    state: str
    restarts: int
    cpu_percent: float
    cpu_limit: float
    memory_mb: float
    memory_limit_mb: float
    last_error: str | None


class ReplicaList(BaseModel):
    replicas: list[ReplicaOut]
    next_page_token: str = ""


class ReplicaSampleOut(BaseModel):
    replica_id: str
    timestamp_ms: int
    state: str
    restarts: int
    cpu_percent: float
    cpu_limit: float
    memory_mb: float
    memory_limit_mb: float


class ReplicaSampleList(BaseModel):
    replica_metrics: list[ReplicaSampleOut]
