"""Model deployments, their replicas and the replicas' resource samples."""

from __future__ import annotations

from typing import Any

from pydantic import AliasChoices, Field, model_validator

from workspace.schemas.common import (
    DeploymentEnvironmentIn,
    Environment,
    Record,
    Strict,
    Timestamp,
    UserRef,
)
from workspace.schemas.models import ReplicationPolicy
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
    replication_policy: ReplicationPolicy | None = Field(
        default=None,
        description="Extension: a replication policy (an autoscaling one starts at its "
        "min_replicas); unset: the model's default_replication_policy when it is autoscaling "
        "and replicas is not given, else replicas fixed.",
    )


class DeploymentUpdate(Strict):
    """Extension (``PATCH`` on a deployment): switch its replication in place, without a restart:
    ``{"replicas": N}`` fixes the count, ``{"replication_policy": {...}}`` sets a policy."""

    replicas: int | None = Field(default=None, ge=1, le=64)
    replication_policy: ReplicationPolicy | None = None

    @model_validator(mode="after")
    def _one_change(self) -> DeploymentUpdate:
        if (self.replicas is None) == (self.replication_policy is None):
            raise ValueError("give exactly one of replicas or replication_policy")
        return self

    @property
    def policy(self) -> ReplicationPolicy:
        """What the deployment's replication becomes."""
        if self.replication_policy is not None:
            return self.replication_policy
        return ReplicationPolicy(type="fixed", num_replicas=self.replicas)


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
    replication_policy: ReplicationPolicy = Field(default_factory=ReplicationPolicy)
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


class DeploymentEvent(Record):
    """One entry of a deployment's history: what happened (``kind``), when, in words, and the
    figures behind it (an autoscaling decision's observed rate and latency, an alert's value)."""

    kind: str
    timestamp_ms: int = Field(validation_alias=AliasChoices("timestamp_ms", "ts_ms"))
    message: str
    details: dict[str, Any] = Field(default_factory=dict)


class DeploymentEventList(Record):
    events: list[DeploymentEvent]
    next_page_token: str = ""
