"""The one interface every serving backend implements (deploy, scale, stop, status, metrics).

Why an interface: the control plane must not care whether replicas are local processes (the
embedded default) or run on a cluster serving engine; it hands over a ``DeploymentSpec`` and reads
back ``ReplicaStatus`` rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from workspace.processes.run_as import RunAs
from workspace.replica import REPLICA_SECRET_HEADER

__all__ = [
    "REPLICA_SECRET_HEADER",
    "DeploymentSpec",
    "ReplicaState",
    "ReplicaStatus",
    "ServingBackend",
]


class ReplicaState(StrEnum):
    STARTING = "starting"
    READY = "ready"
    FAILED = "failed"
    STOPPED = "stopped"


@dataclass(frozen=True)
class DeploymentSpec:
    """What a backend needs to run one deployment's replicas.

    ``build_dir`` is the immutable build snapshot; a replica imports ``file_path`` from it and
    serves ``function_name`` (file builds), or loads the MLflow model at ``model_uri`` (registry
    builds). ``cpu`` is in vCPU, ``memory_gb`` in GB, as CML deployments carry them.
    ``python`` is the interpreter of the build's own environment (None: the lab's).
    """

    deployment_id: str
    build_dir: Path
    file_path: str | None = None
    function_name: str | None = None
    model_uri: str | None = None
    cpu: float = 1.0
    memory_gb: float = 2.0
    replicas: int = 1
    environment: dict[str, str] = field(default_factory=dict)
    python: str | None = None
    account: RunAs | None = None
    """The OS account its local replicas run as (its project's); None: the server's own."""
    autoscaling: dict[str, object] | None = None
    """An autoscaling replication policy (``{"type": "autoscaling", "min_replicas",
    "max_replicas", ...}``) where the deployment has one; None means ``replicas`` fixed. Either
    way a backend runs ``replicas``: the workspace's autoscaler changes the count through
    ``scale`` (``workspace.server.services.autoscaler``)."""


@dataclass
class ReplicaStatus:
    """One replica as the control plane reports it (CML's replica listing)."""

    replica_id: str
    deployment_id: str
    state: ReplicaState
    url: str | None
    pid: int | None
    restarts: int
    cpu_percent: float
    cpu_limit: float
    memory_mb: float
    memory_limit_mb: float
    last_error: str | None = None


class ServingBackend(Protocol):
    def deploy(self, spec: DeploymentSpec) -> None:
        """Start ``spec.replicas`` replicas; returns at once, replicas become ready later."""

    def scale(self, deployment_id: str, replicas: int) -> None: ...

    def replica_room(self, cpu: float, memory_gb: float) -> int:
        """How many replicas of this size the backend can hold (what an autoscaling policy's
        ``max_replicas`` is checked against)."""

    def stop(self, deployment_id: str) -> None:
        """Stop every replica of the deployment and wait until their processes are gone."""

    def status(self, deployment_id: str) -> list[ReplicaStatus]: ...

    def ready_urls(self, deployment_id: str) -> list[str]:
        """Base URLs of replicas that can answer now (model loaded and warmed)."""

    def secret(self, deployment_id: str) -> str | None:
        """The value of ``REPLICA_SECRET_HEADER`` the deployment's replicas answer to."""

    def metrics(self, deployment_id: str) -> list[ReplicaStatus]:
        """A fresh sample of CPU and memory used per replica against its limits."""

    def shutdown(self) -> None:
        """Stop every deployment (server shutdown)."""
