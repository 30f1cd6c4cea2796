"""Typed request and response objects, named after cmlapi's (``CreateProjectRequest``...).

Why dataclasses and not dicts: attribute access and completion in notebooks, one place where a
field name is spelled; ``.to_dict()`` gives the JSON when a caller wants it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Self


class _Record:
    """Shared ``from_dict`` / ``to_dict``; unknown fields from a newer server are ignored."""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        return cls(**{k: v for k, v in data.items() if k in names})

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)  # type: ignore[call-overload]


@dataclass
class CreateProjectRequest(_Record):
    name: str
    description: str = ""
    template: str = "local"
    local_path: str | None = None
    git_url: str | None = None
    environment: dict[str, str] = field(default_factory=dict)


@dataclass
class CreateModelRequest(_Record):
    name: str
    description: str = ""
    disable_authentication: bool = False
    registered_model_id: str | None = None
    project_id: str | None = None


@dataclass
class CreateModelBuildRequest(_Record):
    file_path: str | None = None
    function_name: str | None = None
    kernel: str = "python3"
    runtime_identifier: str = ""
    comment: str = ""
    registered_model_version_id: str | None = None
    project_id: str | None = None
    model_id: str | None = None


@dataclass
class CreateModelDeploymentRequest(_Record):
    cpu: float = 1.0
    memory: float = 2.0
    nvidia_gpus: int = 0
    replicas: int = 1
    environment: dict[str, str] = field(default_factory=dict)
    project_id: str | None = None
    model_id: str | None = None
    build_id: str | None = None


@dataclass
class User(_Record):
    id: str = ""
    username: str = ""
    is_admin: bool = False
    created_at: str = ""
    api_key: str | None = None


@dataclass
class Project(_Record):
    id: str = ""
    name: str = ""
    description: str = ""
    template: str = ""
    local_path: str | None = None
    git_url: str | None = None
    status: str = ""
    failure_reason: str | None = None
    environment: dict[str, str] = field(default_factory=dict)
    creator: dict[str, str] = field(default_factory=dict)
    owner: dict[str, str] = field(default_factory=dict)
    permission: str = ""
    created_at: str = ""
    updated_at: str = ""


@dataclass
class Collaborator(_Record):
    username: str = ""
    permission: str = ""


@dataclass
class Model(_Record):
    id: str = ""
    project_id: str = ""
    name: str = ""
    description: str = ""
    crn: str = ""
    access_key: str = ""
    auth_enabled: bool = True
    registered_model_id: str | None = None
    default_resources: dict[str, Any] = field(default_factory=dict)
    default_replication_policy: dict[str, Any] = field(default_factory=dict)
    creator: dict[str, str] = field(default_factory=dict)
    created_at: str = ""
    updated_at: str = ""


@dataclass
class ModelBuild(_Record):
    id: str = ""
    model_id: str = ""
    project_id: str = ""
    crn: str = ""
    file_path: str | None = None
    function_name: str | None = None
    kernel: str = ""
    runtime_identifier: str = ""
    registered_model_version_id: str | None = None
    model_uri: str | None = None
    comment: str = ""
    status: str = ""
    failure_reason: str | None = None
    built_at: str | None = None
    creator: dict[str, str] = field(default_factory=dict)
    created_at: str = ""
    updated_at: str = ""


@dataclass
class ModelDeployment(_Record):
    id: str = ""
    model_id: str = ""
    build_id: str = ""
    project_id: str = ""
    crn: str = ""
    cpu: float = 0.0
    memory: float = 0.0
    nvidia_gpus: int = 0
    replicas: int = 0
    environment: dict[str, str] = field(default_factory=dict)
    status: str = ""
    failure_reason: str | None = None
    deployed_at: str | None = None
    stopped_at: str | None = None
    creator: dict[str, str] = field(default_factory=dict)
    created_at: str = ""
    updated_at: str = ""


@dataclass
class Replica(_Record):
    id: str = ""
    deployment_id: str = ""
    state: str = ""
    restarts: int = 0
    cpu_percent: float = 0.0
    cpu_limit: float = 0.0
    memory_mb: float = 0.0
    memory_limit_mb: float = 0.0
    last_error: str | None = None


@dataclass
class ReplicaSample(_Record):
    replica_id: str = ""
    timestamp_ms: int = 0
    state: str = ""
    restarts: int = 0
    cpu_percent: float = 0.0
    cpu_limit: float = 0.0
    memory_mb: float = 0.0
    memory_limit_mb: float = 0.0


@dataclass
class MetricRecord(_Record):
    modelCrn: str = ""
    modelBuildCrn: str = ""
    modelDeploymentCrn: str = ""
    startTimeStampMs: int = 0
    endTimeStampMs: int = 0
    predictionUuid: str = ""
    metrics: dict[str, Any] = field(default_factory=dict)
    latencyMs: float | None = None
    replicaId: str | None = None
    statusCode: int | None = None


def _page(plural: str, item: type[_Record]) -> type[_Record]:
    """A list answer as cmlapi shapes it: ``.projects`` (etc.) and ``.next_page_token``."""

    def from_dict(cls: type, data: dict[str, Any]) -> Any:
        items = [item.from_dict(d) for d in data.get(plural, [])]
        return cls(**{plural: items, "next_page_token": data.get("next_page_token", "")})

    def to_dict(self: Any) -> dict[str, Any]:
        return {
            plural: [i.to_dict() for i in getattr(self, plural)],
            "next_page_token": self.next_page_token,
        }

    cls = dataclasses.make_dataclass(
        f"List{item.__name__}s",
        [(plural, list[item], field(default_factory=list)), ("next_page_token", str, "")],
    )
    cls.from_dict = classmethod(from_dict)
    cls.to_dict = to_dict
    return cls


ListProjectsResponse = _page("projects", Project)
ListProjectCollaboratorsResponse = _page("collaborators", Collaborator)
ListModelsResponse = _page("models", Model)
ListModelBuildsResponse = _page("model_builds", ModelBuild)
ListModelDeploymentsResponse = _page("model_deployments", ModelDeployment)
ListModelReplicasResponse = _page("replicas", Replica)
ReadMetricsResponse = _page("metrics", MetricRecord)
ReplicaSampleList = _page("replica_metrics", ReplicaSample)
