"""Serving, on the server's side: the backend interface, the local-process backend (one supervised
slot per replica) and the router in front of replicas. What runs inside a replica lives in
``workspace.replica``."""

from workspace.serving.backend import (
    DeploymentSpec,
    ReplicaState,
    ReplicaStatus,
    ServingBackend,
)

__all__ = ["DeploymentSpec", "ReplicaState", "ReplicaStatus", "ServingBackend"]
