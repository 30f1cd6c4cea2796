"""Model deployments, their replicas and the replicas' resource samples."""

from __future__ import annotations

from pydantic import AliasChoices, Field

from workspace.schemas.common import (
    DeploymentEnvironmentIn,
    Environment,
    Record,
    Strict,
    Timestamp,
    UserRef,
)
from workspace.schemas.states import DeploymentStatus


class DeploymentCreate(Strict):
    project_id: str | None = None
    model_id: str | None = None
    build_id: str | None = None
    cpu: float = Field(default=1.0, gt=0, le=64, description="vCPU per replica.")
    memory: float = Field(default=2.0, gt=0, le=512, description="GB per replica.")
    nvidia_gpus: int = Field(
        default=0,
        ge=0,
        validation_alias=AliasChoices("nvidia_gpus", "nvidia_gpu"),
        description="GPUs per replica; accepted and reported, though a CPU machine gives none.",
    )
    replicas: int = Field(default=1, ge=1, le=64)
    environment: DeploymentEnvironmentIn = Field(default_factory=dict)


class DeploymentOut(Record):
    id: str
    model_id: str
    build_id: str
    project_id: str
    crn: str
    cpu: float
    memory: float
    nvidia_gpus: int
    nvidia_gpu: int = Field(validation_alias=AliasChoices("nvidia_gpu", "nvidia_gpus"))
    replicas: int
    environment: Environment
    status: DeploymentStatus
    failure_reason: str | None
    deployed_at: Timestamp | None
    stopped_at: Timestamp | None
    creator: UserRef
    deployer: UserRef = Field(validation_alias=AliasChoices("deployer", "creator"))
    created_at: Timestamp
    updated_at: Timestamp


class DeploymentList(Record):
    model_deployments: list[DeploymentOut]
    next_page_token: str = ""


class ReplicaUsage(Record):
    """What a replica uses against its limits, and how often it was restarted."""

    state: str
    restarts: int
    cpu_percent: float
    cpu_limit: float
    memory_mb: float
    memory_limit_mb: float


class ReplicaOut(ReplicaUsage):
    """One replica as the serving backend reports it now."""

    id: str = Field(validation_alias=AliasChoices("id", "replica_id"))
    deployment_id: str
    last_error: str | None


class ReplicaList(Record):
    replicas: list[ReplicaOut]
    next_page_token: str = ""


class ReplicaSampleOut(ReplicaUsage):
    """One replica's usage at one sampled moment."""

    replica_id: str
    timestamp_ms: int = Field(validation_alias=AliasChoices("timestamp_ms", "ts_ms"))


class ReplicaSampleList(Record):
    replica_metrics: list[ReplicaSampleOut]
