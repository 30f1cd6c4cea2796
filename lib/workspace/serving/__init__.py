"""Serving: backends that run model replicas, and the router in front of them."""

from workspace.serving.backend import (
    DeploymentSpec,
    ReplicaState,
    ReplicaStatus,
    ServingBackend,
)

__all__ = ["DeploymentSpec", "ReplicaState", "ReplicaStatus", "ServingBackend"]
