"""The response messages of CML's API v2 that the lab's CML flows see, described by hand from the
public spec (swagger 2.0, ``mlapiv2/api.proto``), and a check of one JSON body against them.

Why by hand and not read from the spec file: the spec is Cloudera's and is not shipped here; a
description small enough to read is also the statement of what we promise. The rules are the
spec's as grpc-gateway writes proto3 JSON:

- every field the message declares is present (a client reads it by name); fields it does not
  declare are allowed (proto3 clients ignore unknown fields), and are reported as extensions;
- ``int64`` values are JSON strings of digits, ``int32`` and ``double`` JSON numbers;
- timestamps are RFC 3339 strings with an offset (``Z`` or ``+hh:mm``), or ``null`` when unset,
  as any unset message field may be;
- ``environment`` is a JSON *string* holding a JSON object of strings;
- enums are their value names; where the spec types a status as a plain string but CML writes a
  fixed set (builds, deployments, project ``creation_status``), that set is the enum here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime

STRING, INT32, INT64, DOUBLE, BOOL, TIMESTAMP, ENVIRONMENT = (
    "string",
    "int32",
    "int64",
    "double",
    "bool",
    "timestamp",
    "environment",
)


@dataclass(frozen=True)
class Enum:
    """A string field whose value is one of ``values``."""

    name: str
    values: frozenset[str]


@dataclass(frozen=True)
class Repeated:
    """A JSON array of ``kind``."""

    kind: object


def enum(name: str, *values: str) -> Enum:
    return Enum(name, frozenset(values))


ENGINE_STATUS = enum(
    "EngineStatus",
    "ENGINE_SCHEDULING",
    "ENGINE_STARTING",
    "ENGINE_RUNNING",
    "ENGINE_STOPPING",
    "ENGINE_STOPPED",
    "ENGINE_UNKNOWN",
    "ENGINE_SUCCEEDED",
    "ENGINE_FAILED",
    "ENGINE_TIMEDOUT",
)
RUNTIME_STATUS = enum("RuntimeStatus", "ENABLED", "DISABLED", "DEPRECATED")
VISIBILITY = enum("Visibility", "PRIVATE", "PUBLIC")
MLOPS_TYPE = enum("MLOPSType", "MLFLOW", "SIMPLE")
PROJECT_VISIBILITY = enum("Project.visibility", "private", "organization", "public")
ENGINE_TYPE = enum("Project.default_engine_type", "ml_runtime", "legacy_engine")
CREATION_STATUS = enum("Project.creation_status", "unknown", "creating", "success", "failure")
JOB_TYPE = enum("Job.type", "manual", "cron", "dependent")
BUILD_STATUS = enum(
    "ModelBuild.status",
    "pending",
    "queued",
    "building",
    "pushing",
    "built",
    "failed",
    "timedout",
)
DEPLOYMENT_STATUS = enum(
    "ModelDeployment.status", "pending", "deploying", "deployed", "stopping", "stopped", "failed"
)

LIST = Repeated  # readability: ``LIST("Project")``

MESSAGES: dict[str, dict[str, object]] = {
    "ShortUser": {"username": STRING, "name": STRING, "email": STRING},
    "ShortProject": {
        "public_identifier": STRING,
        "name": STRING,
        "default_project_engine": STRING,
        "slug": STRING,
    },
    "ProjectPermissions": dict.fromkeys(
        ("read", "write", "admin", "business_user", "operator", "inherit"), BOOL
    ),
    "Project": {
        "id": STRING,
        "name": STRING,
        "owner": "ShortUser",
        "creator": "ShortUser",
        "description": STRING,
        "visibility": PROJECT_VISIBILITY,
        "default_engine_type": ENGINE_TYPE,
        "created_at": TIMESTAMP,
        "updated_at": TIMESTAMP,
        "creation_status": CREATION_STATUS,
        "permissions": "ProjectPermissions",
        "shared_memory_limit": INT32,
        "environment": ENVIRONMENT,
        "ephemeral_storage_request": INT32,
        "ephemeral_storage_limit": INT32,
    },
    "ListProjectsResponse": {"projects": LIST("Project"), "next_page_token": STRING},
    "Runtime": {
        "image_identifier": STRING,
        "editor": STRING,
        "kernel": STRING,
        "edition": STRING,
        "description": STRING,
        "full_version": STRING,
        "status": RUNTIME_STATUS,
    },
    "ListRuntimesResponse": {"runtimes": LIST("Runtime"), "next_page_token": STRING},
    "DefaultResources": {"cpu_millicores": INT64, "memory_mb": INT64, "nvidia_gpus": INT64},
    "DefaultReplicationPolicy": {"num_replicas": INT64, "type": STRING},
    "Model": {
        "id": STRING,
        "name": STRING,
        "description": STRING,
        "creator": "ShortUser",
        "access_key": STRING,
        "deletion_status": STRING,
        "created_at": TIMESTAMP,
        "updated_at": TIMESTAMP,
        "crn": STRING,
        "auth_enabled": BOOL,
        "project": "ShortProject",
        "registered_model_id": STRING,
        "visibility": STRING,
        "default_resources": "DefaultResources",
        "default_replication_policy": "DefaultReplicationPolicy",
        "run_as": INT32,
    },
    "ListModelsResponse": {"models": LIST("Model"), "next_page_token": STRING},
    "ModelBuild": {
        "id": STRING,
        "model_id": STRING,
        "creator": "ShortUser",
        "comment": STRING,
        "file_path": STRING,
        "function_name": STRING,
        "engine_image": STRING,
        "kernel": STRING,
        "created_at": TIMESTAMP,
        "updated_at": TIMESTAMP,
        "status": BUILD_STATUS,
        "deletion_status": STRING,
        "crn": STRING,
        "built_at": TIMESTAMP,
        "runtime_identifier": STRING,
        "runtime_addon_identifiers": LIST(STRING),
        "registered_model_version_id": STRING,
    },
    "ListModelBuildsResponse": {"model_builds": LIST("ModelBuild"), "next_page_token": STRING},
    "ModelDeployment": {
        "project_id": STRING,
        "model_id": STRING,
        "build_id": STRING,
        "id": STRING,
        "cpu": DOUBLE,
        "memory": DOUBLE,
        "nvidia_gpu": INT32,
        "environment": ENVIRONMENT,
        "created_at": TIMESTAMP,
        "updated_at": TIMESTAMP,
        "stopped_at": TIMESTAMP,
        "crn": STRING,
        "deployer": "ShortUser",
        "status": DEPLOYMENT_STATUS,
        "replicas": INT32,
    },
    "ListModelDeploymentsResponse": {
        "model_deployments": LIST("ModelDeployment"),
        "next_page_token": STRING,
    },
    "Job": {
        "id": STRING,
        "cpu": DOUBLE,
        "created_at": TIMESTAMP,
        "creator": "ShortUser",
        "engine_image_id": INT64,
        "english_schedule": STRING,
        "arguments": STRING,
        "type": JOB_TYPE,
        "kernel": STRING,
        "memory": DOUBLE,
        "name": STRING,
        "parent_id": STRING,
        "paused": BOOL,
        "schedule": STRING,
        "script": STRING,
        "timeout": INT64,
        "timezone": STRING,
        "updated_at": TIMESTAMP,
        "environment": ENVIRONMENT,
        "nvidia_gpu": INT32,
        "runtime_identifier": STRING,
        "runtime_addon_identifiers": LIST(STRING),
        "kill_on_timeout": BOOL,
        "project": "ShortProject",
        "owner": "ShortUser",
        "run_as": INT32,
    },
    "ListJobsResponse": {"jobs": LIST("Job"), "next_page_token": STRING},
    "JobRun": {
        "project_id": STRING,
        "job_id": STRING,
        "status": ENGINE_STATUS,
        "id": STRING,
        "created_at": TIMESTAMP,
        "scheduling_at": TIMESTAMP,
        "starting_at": TIMESTAMP,
        "running_at": TIMESTAMP,
        "finished_at": TIMESTAMP,
        "kernel": STRING,
        "cpu": DOUBLE,
        "memory": DOUBLE,
        "nvidia_gpu": INT32,
        "arguments": STRING,
        "environment": ENVIRONMENT,
        "creator": "ShortUser",
        "runtime_identifier": STRING,
    },
    "ListJobRunsResponse": {"job_runs": LIST("JobRun"), "next_page_token": STRING},
    "Tag": {"key": STRING, "value": STRING},
    "Metric": {"key": STRING, "value": DOUBLE, "timestamp": TIMESTAMP, "step": INT64},
    "MLflowMetadata": {
        "experiment_id": STRING,
        "run_id": STRING,
        "metrics": LIST("Metric"),
        "params": LIST("Tag"),
        "tags": LIST("Tag"),
    },
    "SimpleMetadata": {
        "git_url": STRING,
        "commit_id": STRING,
        "metrics": LIST("Metric"),
        "params": LIST("Tag"),
        "tags": LIST("Tag"),
    },
    "ModelVersionMetadata": {
        "mlops_type": MLOPS_TYPE,
        "tags": LIST("Tag"),
        "workspace_url": STRING,
        "project_id": STRING,
        "owner": "ShortUser",
        "mlflow_metadata": "MLflowMetadata",
        "simple_metadata": "SimpleMetadata",
    },
    "RegisteredModelVersion": {
        "model_id": STRING,
        "model_version_id": STRING,
        "version_name": STRING,
        "number": INT32,
        "notes": STRING,
        "user": "ShortUser",
        "created_at": TIMESTAMP,
        "updated_at": TIMESTAMP,
        "status": STRING,
        "model_version_metadata": "ModelVersionMetadata",
        "tags": LIST("Tag"),
    },
    "RegisteredModel": {
        "model_id": STRING,
        "name": STRING,
        "description": STRING,
        "owner": "ShortUser",
        "permission": STRING,
        "visibility": VISIBILITY,
        "created_at": TIMESTAMP,
        "updated_at": TIMESTAMP,
        "count": INT32,
        "model_versions": LIST("RegisteredModelVersion"),
        "next_page_token": STRING,
    },
    "Empty": {},  # DeleteJobResponse, DeleteProjectResponse, ...: messages without fields
    "protobufAny": {"type_url": STRING, "value": STRING},
    "runtimeError": {
        "error": STRING,
        "code": INT32,
        "message": STRING,
        "details": LIST("protobufAny"),
    },
}

P = "/api/v2/projects/{}"
M = P + "/models/{}"
B = M + "/builds/{}"
J = P + "/jobs/{}"

OPERATIONS: dict[tuple[str, str], str] = {
    ("GET", "/api/v2/projects"): "ListProjectsResponse",
    ("POST", "/api/v2/projects"): "Project",
    ("GET", P): "Project",
    ("PATCH", P): "Project",
    ("DELETE", P): "Empty",
    ("GET", "/api/v2/runtimes"): "ListRuntimesResponse",
    ("GET", "/api/v2/models"): "ListModelsResponse",
    ("GET", P + "/models"): "ListModelsResponse",
    ("POST", P + "/models"): "Model",
    ("GET", M): "Model",
    ("DELETE", M): "Empty",
    ("GET", M + "/builds"): "ListModelBuildsResponse",
    ("POST", M + "/builds"): "ModelBuild",
    ("GET", B): "ModelBuild",
    ("GET", B + "/deployments"): "ListModelDeploymentsResponse",
    ("POST", B + "/deployments"): "ModelDeployment",
    ("GET", B + "/deployments/{}"): "ModelDeployment",
    ("POST", B + "/deployments/{}:stop"): "ModelDeployment",
    ("POST", B + "/deployments/{}:restart"): "ModelDeployment",
    ("GET", "/api/v2/jobs"): "ListJobsResponse",
    ("GET", P + "/jobs"): "ListJobsResponse",
    ("POST", P + "/jobs"): "Job",
    ("GET", J): "Job",
    ("PATCH", J): "Job",
    ("DELETE", J): "Empty",
    ("GET", J + "/runs"): "ListJobRunsResponse",
    ("POST", J + "/runs"): "JobRun",
    ("GET", J + "/runs/{}"): "JobRun",
    ("POST", J + "/runs/{}:stop"): "JobRun",
    ("GET", "/api/v2/registry/models"): "ListRegisteredModelsResponse",
    ("POST", "/api/v2/registry/models"): "RegisteredModel",
    ("GET", "/api/v2/registry/models/{}"): "RegisteredModel",
    ("GET", "/api/v2/registry/models/{}/versions/{}"): "RegisteredModelVersion",
}
MESSAGES["ListRegisteredModelsResponse"] = {
    "models": LIST("RegisteredModel"),
    "next_page_token": STRING,
}

_ROUTES = [
    (method, re.compile("^" + re.escape(path).replace(r"\{\}", "[^/:]+") + "$"), message)
    for (method, path), message in OPERATIONS.items()
]


def response_message(method: str, path: str, status: int) -> str:
    """The message a response of ``method path`` with ``status`` must be: the operation's own
    for a 2xx, the spec's error body (``runtimeError``) otherwise."""
    if not 200 <= status < 300:
        return "runtimeError"
    for route_method, pattern, message in _ROUTES:
        if route_method == method and pattern.match(path):
            return message
    raise KeyError(f"no operation of the spec for {method} {path}")


def _timestamp_problem(value: str) -> str | None:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return f"{value!r} is not an RFC 3339 timestamp"
    if "T" not in value or parsed.tzinfo is None:
        return f"{value!r} is not an RFC 3339 timestamp with an offset"
    return None


def _scalar_problem(kind: str, value: object) -> str | None:
    """Why ``value`` is not a ``kind``, or None."""
    ok = {
        STRING: isinstance(value, str),
        INT32: isinstance(value, int) and not isinstance(value, bool),
        INT64: isinstance(value, str) and re.fullmatch(r"-?\d+", value) is not None,
        DOUBLE: isinstance(value, (int, float)) and not isinstance(value, bool),
        BOOL: isinstance(value, bool),
    }
    if kind == TIMESTAMP:
        if value is None:  # google.protobuf.Timestamp is a message: unset is null
            return None
        if not isinstance(value, str):
            return f"{value!r} is not a timestamp string"
        return _timestamp_problem(value)
    if kind == ENVIRONMENT:
        if not isinstance(value, str):
            return f"{value!r} is not a JSON string"
        try:
            decoded = json.loads(value)
        except ValueError:
            return f"{value!r} is not JSON"
        if not isinstance(decoded, dict) or not all(isinstance(v, str) for v in decoded.values()):
            return f"{value!r} is not a JSON object of strings"
        return None
    if not ok[kind]:
        return f"{value!r} is not {kind}" + (" (a JSON string of digits)" if kind == INT64 else "")
    return None


def _problems(kind: object, value: object, where: str, extensions: set[str]) -> list[str]:
    if isinstance(kind, Enum):
        if value not in kind.values:
            return [f"{where}: {value!r} is not one of {kind.name} {sorted(kind.values)}"]
        return []
    if isinstance(kind, Repeated):
        if not isinstance(value, list):
            return [f"{where}: {value!r} is not a list"]
        found: list[str] = []
        for i, item in enumerate(value):
            found += _problems(kind.kind, item, f"{where}[{i}]", extensions)
        return found
    if kind in MESSAGES:
        if value is None and where != "":  # an unset message field
            return []
        if not isinstance(value, dict):
            return [f"{where or kind}: {value!r} is not a {kind} object"]
        fields = MESSAGES[kind]
        found = [f"{where}.{name}: missing" for name in fields if name not in value]
        extensions.update(f"{kind}.{name}" for name in value if name not in fields)
        for name, field_kind in fields.items():
            if name in value:
                found += _problems(field_kind, value[name], f"{where}.{name}", extensions)
        return found
    problem = _scalar_problem(str(kind), value)
    return [f"{where}: {problem}"] if problem else []


def check(message: str, body: object) -> tuple[list[str], set[str]]:
    """What in ``body`` breaks ``message`` (empty when it conforms), and the fields it carries
    that the spec does not declare (allowed: our extensions)."""
    extensions: set[str] = set()
    return _problems(message, body, "", extensions), extensions
