"""Users, health, runtimes, projects and their collaborators, as cmlapi names the calls.

Why functions that take the connection: ``WorkspaceClient`` lists them as its methods, and this
module keeps one resource family readable on its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Unpack

from workspace.client._connection import Connection
from workspace.client._http import V2, ListParams, list_query, request_body
from workspace.schemas import (
    CollaboratorIn,
    CollaboratorList,
    CollaboratorOut,
    ProjectCreate,
    ProjectList,
    ProjectOut,
    ProjectUpdate,
    RuntimeList,
    UserOut,
    UserWithKey,
)


def health(client: Connection) -> dict[str, str]:
    """The server's liveness answer (``{"status": "ok", ...}``); needs no API key."""
    return client.http.request("GET", f"{V2}/health")


def create_user(client: Connection, username: str, *, is_admin: bool = False) -> UserWithKey:
    """A new user (workspace admins only); the answer carries its API key, shown this once."""
    body = {"username": username, "is_admin": is_admin}
    return UserWithKey.model_validate(client.http.request("POST", f"{V2}/users", json_body=body))


def get_current_user(client: Connection) -> UserOut:
    """Whoever the API key belongs to."""
    return UserOut.model_validate(client.http.request("GET", f"{V2}/users/me"))


def list_runtimes(client: Connection, **params: Unpack[ListParams]) -> RuntimeList:
    """What a build's or job's ``runtime_identifier`` may name; ``search_filter`` keys:
    image_identifier, editor, kernel, edition, description, full_version; ``sort`` takes the
    same keys, several comma-separated (``"-kernel,+editor"``)."""
    data = client.http.request("GET", f"{V2}/runtimes", params=list_query(params))
    return RuntimeList.model_validate(data)


def create_project(
    client: Connection,
    body: ProjectCreate | Mapping[str, Any] | None = None,
    **fields: Any,
) -> ProjectOut:
    """A project from a server folder (``template="local"``), a git URL, or blank.

    A git project answers at once with status ``creating`` while it is cloned.
    """
    data = request_body(body, fields)
    return ProjectOut.model_validate(client.http.request("POST", f"{V2}/projects", json_body=data))


def list_projects(client: Connection, **params: Unpack[ListParams]) -> ProjectList:
    """Projects the caller can see; ``search_filter`` keys: name, description, status."""
    data = client.http.request("GET", f"{V2}/projects", params=list_query(params))
    return ProjectList.model_validate(data)


def get_project(client: Connection, *, project_id: str | None = None) -> ProjectOut:
    return ProjectOut.model_validate(client.http.request("GET", client._project_path(project_id)))


def update_project(
    client: Connection,
    body: ProjectUpdate | Mapping[str, Any] | None = None,
    *,
    project_id: str | None = None,
    **fields: Any,
) -> ProjectOut:
    """Change the description or the environment of a project."""
    path = client._project_path(project_id)
    data = request_body(body, fields)
    return ProjectOut.model_validate(client.http.request("PATCH", path, json_body=data))


def delete_project(client: Connection, *, project_id: str | None = None) -> None:
    client.http.request("DELETE", client._project_path(project_id))


def add_project_collaborator(
    client: Connection,
    body: CollaboratorIn | Mapping[str, Any] | None = None,
    *,
    project_id: str | None = None,
    username: str,
    **fields: Any,
) -> CollaboratorOut:
    """Give ``username`` a role (``permission``: viewer, operator or admin) in the project."""
    path = f"{client._project_path(project_id)}/collaborators/{username}"
    data = client.http.request("PUT", path, json_body=request_body(body, fields))
    return CollaboratorOut.model_validate(data)


def list_project_collaborators(
    client: Connection, *, project_id: str | None = None
) -> CollaboratorList:
    """The project's owner (admin) first, then everyone given a role, by name."""
    path = f"{client._project_path(project_id)}/collaborators"
    data = client.http.request("GET", path)
    return CollaboratorList.model_validate(data)
