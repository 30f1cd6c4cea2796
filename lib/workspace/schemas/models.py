"""Models (a named endpoint with an access key) and their builds."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import Field, model_serializer, model_validator

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


Replicas = Annotated[Int64, Field(gt=0, le=64)]
AUTOSCALING_FIELDS = ("min_replicas", "max_replicas", "target_p95_ms", "target_inflight")


class ReplicationPolicy(Strict):
    """CML's ``DefaultReplicationPolicy``: ``{"type": "fixed", "num_replicas": N}``, or, as an
    extension, ``{"type": "autoscaling", "min_replicas", "max_replicas", "target_p95_ms" or
    "target_inflight"}``, which the workspace's autoscaler evaluates (``workspace.autoscaling``).

    Why one class with a ``type``: CML clients read ``type`` and ``num_replicas`` of every policy;
    an autoscaling one reports its starting count (``min_replicas``) there. Unset fields are left
    out of answers, so a fixed policy reads exactly as CML writes it.

    Example::

        ReplicationPolicy(type="autoscaling", min_replicas=1, max_replicas=4, target_p95_ms=250)
    """

    type: Literal["fixed", "autoscaling"] = "fixed"
    num_replicas: Replicas | None = None
    min_replicas: Replicas | None = None
    max_replicas: Replicas | None = None
    target_p95_ms: Annotated[float, Field(gt=0, le=3_600_000)] | None = None
    target_inflight: Annotated[float, Field(gt=0, le=10_000)] | None = None

    @model_validator(mode="after")
    def _complete(self) -> ReplicationPolicy:
        """Every field an autoscaling policy needs, none it cannot use; ValueErrors name the
        field, so a 400 says which one to change."""
        if self.type == "fixed":
            given = [name for name in AUTOSCALING_FIELDS if getattr(self, name) is not None]
            if given:
                raise ValueError(f"{given[0]} applies to type 'autoscaling' only, not 'fixed'")
            if self.num_replicas is None:
                self.num_replicas = 1
            return self
        if self.max_replicas is None:
            raise ValueError("max_replicas is required for type 'autoscaling'")
        if self.min_replicas is None:
            self.min_replicas = 1
        if self.min_replicas > self.max_replicas:
            raise ValueError(
                f"min_replicas ({self.min_replicas}) must not exceed max_replicas "
                f"({self.max_replicas})"
            )
        targets = [name for name in ("target_p95_ms", "target_inflight") if getattr(self, name)]
        if len(targets) != 1:
            raise ValueError(
                "give exactly one of target_p95_ms or target_inflight for type 'autoscaling'"
                + (" (both were given)" if targets else "")
            )
        if self.num_replicas is None:
            self.num_replicas = self.min_replicas
        if not self.min_replicas <= self.num_replicas <= self.max_replicas:
            raise ValueError(
                f"num_replicas ({self.num_replicas}) must lie within min_replicas "
                f"({self.min_replicas}) and max_replicas ({self.max_replicas})"
            )
        return self

    @model_serializer(mode="wrap")
    def _without_unset(self, handler: Any) -> dict[str, Any]:
        return {key: value for key, value in handler(self).items() if value is not None}

    @property
    def autoscaling(self) -> bool:
        return self.type == "autoscaling"

    def bounded(self, replicas: int) -> int:
        """``replicas`` within the policy's bounds (a fixed policy: its count)."""
        if not self.autoscaling:
            return int(self.num_replicas or 1)
        return max(int(self.min_replicas or 1), min(int(self.max_replicas or 1), replicas))

    def describe(self) -> str:
        """The policy in words (a deployment's history, the monitoring report)."""
        if not self.autoscaling:
            return f"a fixed count of {self.num_replicas}"
        target = (
            f"p95 <= {self.target_p95_ms:g} ms"
            if self.target_p95_ms
            else f"{self.target_inflight:g} requests in flight per replica"
        )
        return f"autoscaling {self.min_replicas}..{self.max_replicas} replicas for {target}"

    @classmethod
    def of(cls, stored: dict[str, Any] | None, replicas: int) -> ReplicationPolicy:
        """The policy a row keeps (None: fixed at ``replicas``)."""
        if not stored:
            return cls(type="fixed", num_replicas=replicas)
        return cls.model_validate({k: v for k, v in stored.items() if k != "num_replicas"})


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
            "default_replication_policy": ReplicationPolicy.of(
                getattr(data, "default_replication_policy", None), data.default_num_replicas
            ),
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
