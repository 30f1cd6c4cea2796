"""Models, their builds and deployments, and the deployments' replicas, as cmlapi names the calls.

Why ids are keyword-only: a build is reached through its project and model, a deployment through
its build too, and four positional strings in a row are easy to pass in the wrong order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, TypeVar, Unpack

from workspace.client._connection import Connection
from workspace.client._http import V2, ListParams, list_query, request_body
from workspace.schemas import (
    BuildCreate,
    BuildList,
    BuildLog,
    BuildOut,
    DeploymentCreate,
    DeploymentEventList,
    DeploymentList,
    DeploymentOut,
    DeploymentUpdate,
    ModelCreate,
    ModelList,
    ModelOut,
    ReplicaList,
    ReplicaSampleList,
)

Answer_co = TypeVar("Answer_co", covariant=True)


def _required(name: str, value: str | None) -> str:
    if not value:
        raise TypeError(f"{name} is required")
    return value


def _model_path(client: Connection, project_id: str | None, model_id: str | None) -> str:
    return f"{client._project_path(project_id)}/models/{_required('model_id', model_id)}"


def _build_path(
    client: Connection, project_id: str | None, model_id: str | None, build_id: str | None
) -> str:
    return f"{_model_path(client, project_id, model_id)}/builds/{_required('build_id', build_id)}"


def _deployment_path(
    client: Connection,
    project_id: str | None,
    model_id: str,
    build_id: str,
    deployment_id: str,
) -> str:
    return f"{_build_path(client, project_id, model_id, build_id)}/deployments/{deployment_id}"


def create_model(
    client: Connection,
    body: ModelCreate | Mapping[str, Any] | None = None,
    *,
    project_id: str | None = None,
    **fields: Any,
) -> ModelOut:
    """A model (name, description, disable_authentication, registered_model_id) with its own
    access key; the project may also be named in the body, as cmlapi's request carries it."""
    data = request_body(body, fields)
    path = f"{client._project_path(project_id or data.pop('project_id', None))}/models"
    return ModelOut.model_validate(client.http.request("POST", path, json_body=data))


def list_models(
    client: Connection, *, project_id: str | None = None, **params: Unpack[ListParams]
) -> ModelList:
    path = f"{client._project_path(project_id)}/models"
    data = client.http.request("GET", path, params=list_query(params))
    return ModelList.model_validate(data)


def list_all_models(client: Connection, **params: Unpack[ListParams]) -> ModelList:
    """Models of every project the caller can see."""
    data = client.http.request("GET", f"{V2}/models", params=list_query(params))
    return ModelList.model_validate(data)


def get_model(client: Connection, *, project_id: str | None = None, model_id: str) -> ModelOut:
    return ModelOut.model_validate(
        client.http.request("GET", _model_path(client, project_id, model_id))
    )


def create_model_build(
    client: Connection,
    body: BuildCreate | Mapping[str, Any] | None = None,
    *,
    project_id: str | None = None,
    model_id: str | None = None,
    **fields: Any,
) -> BuildOut:
    """A build from ``file_path`` + ``function_name`` in the project, or from a registered MLflow
    model version (``registered_model_version_id``); answers at once with status ``pending``."""
    data = request_body(body, fields)
    pid = project_id or data.pop("project_id", None)
    path = _model_path(client, pid, model_id or data.pop("model_id", None)) + "/builds"
    return BuildOut.model_validate(client.http.request("POST", path, json_body=data))


def list_model_builds(
    client: Connection,
    *,
    project_id: str | None = None,
    model_id: str,
    **params: Unpack[ListParams],
) -> BuildList:
    path = _model_path(client, project_id, model_id) + "/builds"
    data = client.http.request("GET", path, params=list_query(params))
    return BuildList.model_validate(data)


def get_model_build(
    client: Connection, *, project_id: str | None = None, model_id: str, build_id: str
) -> BuildOut:
    path = _build_path(client, project_id, model_id, build_id)
    return BuildOut.model_validate(client.http.request("GET", path))


def get_model_build_logs(
    client: Connection, *, project_id: str | None = None, model_id: str, build_id: str
) -> str:
    """The build's log so far: the snapshot, dependency installs and the import check."""
    path = _build_path(client, project_id, model_id, build_id) + "/logs"
    return BuildLog.model_validate(client.http.request("GET", path)).log


def create_model_deployment(
    client: Connection,
    body: DeploymentCreate | Mapping[str, Any] | None = None,
    *,
    project_id: str | None = None,
    model_id: str | None = None,
    build_id: str | None = None,
    **fields: Any,
) -> DeploymentOut:
    """Deploy a built build (cpu, memory, replicas, environment); answers with status
    ``pending``, and the model's endpoint moves to it once it is deployed."""
    data = request_body(body, fields)
    pid = project_id or data.pop("project_id", None)
    mid, bid = model_id or data.pop("model_id", None), build_id or data.pop("build_id", None)
    path = _build_path(client, pid, mid, bid) + "/deployments"
    return DeploymentOut.model_validate(client.http.request("POST", path, json_body=data))


def list_model_deployments(
    client: Connection,
    *,
    project_id: str | None = None,
    model_id: str,
    build_id: str,
    **params: Unpack[ListParams],
) -> DeploymentList:
    path = _build_path(client, project_id, model_id, build_id) + "/deployments"
    data = client.http.request("GET", path, params=list_query(params))
    return DeploymentList.model_validate(data)


class _DeploymentCall(Protocol[Answer_co]):
    def __call__(
        self,
        client: Connection,
        *,
        project_id: str | None = None,
        model_id: str,
        build_id: str,
        deployment_id: str,
    ) -> Answer_co: ...


def _deployment_call(
    name: str, method: str, suffix: str, answer: type[Answer_co], doc: str
) -> _DeploymentCall[Answer_co]:
    """One call on one deployment (its resource, an action, a sub-resource): the same ids, path
    and answer handling, so each call below is a line that says what it does."""

    def call(
        client: Connection,
        *,
        project_id: str | None = None,
        model_id: str,
        build_id: str,
        deployment_id: str,
    ) -> Answer_co:
        path = _deployment_path(client, project_id, model_id, build_id, deployment_id) + suffix
        return answer.model_validate(client.http.request(method, path))

    call.__name__ = call.__qualname__ = name
    call.__doc__ = doc
    return call


get_model_deployment = _deployment_call(
    "get_model_deployment", "GET", "", DeploymentOut, "The deployment now."
)
stop_model_deployment = _deployment_call(
    "stop_model_deployment",
    "POST",
    ":stop",
    DeploymentOut,
    "Stop its replicas; answers with status ``stopping`` (``stopped`` once they are gone).",
)
restart_model_deployment = _deployment_call(
    "restart_model_deployment",
    "POST",
    ":restart",
    DeploymentOut,
    "Start the deployment's replicas again; answers with status ``deploying``.",
)
list_model_replicas = _deployment_call(
    "list_model_replicas",
    "GET",
    "/replicas",
    ReplicaList,
    "Each replica now: state, restarts, CPU and memory used against its limits.",
)


def read_replica_metrics(
    client: Connection,
    *,
    project_id: str | None = None,
    model_id: str,
    build_id: str,
    deployment_id: str,
    start_timestamp_ms: int | None = None,
    end_timestamp_ms: int | None = None,
) -> ReplicaSampleList:
    """The samples the server took of each replica, oldest first, within the time range."""
    path = _deployment_path(client, project_id, model_id, build_id, deployment_id)
    window = {"start_timestamp_ms": start_timestamp_ms, "end_timestamp_ms": end_timestamp_ms}
    data = client.http.request("GET", path + "/replica_metrics", params=window)
    return ReplicaSampleList.model_validate(data)


def update_model_deployment(
    client: Connection,
    body: DeploymentUpdate | Mapping[str, Any] | None = None,
    *,
    project_id: str | None = None,
    model_id: str,
    build_id: str,
    deployment_id: str,
    **fields: Any,
) -> DeploymentOut:
    """Switch a deployment's replication in place: ``replicas=N`` fixes the count,
    ``replication_policy={"type": "autoscaling", ...}`` hands it to the autoscaler."""
    data = request_body(body, fields)
    path = _deployment_path(client, project_id, model_id, build_id, deployment_id)
    return DeploymentOut.model_validate(client.http.request("PATCH", path, json_body=data))


def list_deployment_events(
    client: Connection,
    *,
    project_id: str | None = None,
    model_id: str,
    build_id: str,
    deployment_id: str,
    kind: str | None = None,
    start_timestamp_ms: int | None = None,
    end_timestamp_ms: int | None = None,
) -> DeploymentEventList:
    """The deployment's history, oldest first: autoscaling decisions (kind ``autoscaling``),
    replication switches (``replication``) and whatever else recorded an event."""
    path = _deployment_path(client, project_id, model_id, build_id, deployment_id) + "/events"
    query = {"kind": kind, "start_timestamp_ms": start_timestamp_ms}
    query["end_timestamp_ms"] = end_timestamp_ms
    data = client.http.request("GET", path, params=query)
    return DeploymentEventList.model_validate(data)
