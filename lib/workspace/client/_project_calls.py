"""Users, health, projects and their collaborators, as cmlapi names the calls.

Why functions that take the client: ``WorkspaceClient`` lists them as its methods, and this module
keeps one resource family readable on its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Unpack

from workspace.client._http import V2, ListParams, list_query, request_body
from workspace.client._models import (
    Collaborator,
    CreateProjectRequest,
    ListProjectCollaboratorsResponse,
    ListProjectsResponse,
    Project,
    User,
)

if TYPE_CHECKING:
    from workspace.client._client import WorkspaceClient


def health(client: WorkspaceClient) -> dict[str, str]:
    """The server's liveness answer (``{"status": "ok", ...}``); needs no API key."""
    return client.http.request("GET", f"{V2}/health")


def create_user(client: WorkspaceClient, username: str, *, is_admin: bool = False) -> User:
    """A new user (workspace admins only); the answer carries its API key, shown this once."""
    body = {"username": username, "is_admin": is_admin}
    return User.from_dict(client.http.request("POST", f"{V2}/users", json_body=body))


def get_current_user(client: WorkspaceClient) -> User:
    """Whoever the API key belongs to."""
    return User.from_dict(client.http.request("GET", f"{V2}/users/me"))


def create_project(
    client: WorkspaceClient,
    body: CreateProjectRequest | Mapping[str, Any] | None = None,
    **fields: Any,
) -> Project:
    """A project from a server folder (``template="local"``), a git URL, or blank.

    A git project answers at once with status ``creating`` while it is cloned.
    """
    data = request_body(body, fields)
    return Project.from_dict(client.http.request("POST", f"{V2}/projects", json_body=data))


def list_projects(client: WorkspaceClient, **params: Unpack[ListParams]) -> ListProjectsResponse:
    """Projects the caller can see; ``search_filter`` keys: name, description, status."""
    data = client.http.request("GET", f"{V2}/projects", params=list_query(params))
    return ListProjectsResponse.from_dict(data)


def get_project(client: WorkspaceClient, *, project_id: str | None = None) -> Project:
    return Project.from_dict(client.http.request("GET", client._project_path(project_id)))


def update_project(
    client: WorkspaceClient,
    body: Mapping[str, Any] | None = None,
    *,
    project_id: str | None = None,
    **fields: Any,
) -> Project:
    """Change the description or the environment of a project."""
    path = client._project_path(project_id)
    data = request_body(body, fields)
    return Project.from_dict(client.http.request("PATCH", path, json_body=data))


def delete_project(client: WorkspaceClient, *, project_id: str | None = None) -> None:
    client.http.request("DELETE", client._project_path(project_id))


def add_project_collaborator(
    client: WorkspaceClient,
    body: Mapping[str, Any] | None = None,
    *,
    project_id: str | None = None,
    username: str,
    **fields: Any,
) -> Collaborator:
    """Give ``username`` a role (``permission``: viewer, operator or admin) in the project."""
    path = f"{client._project_path(project_id)}/collaborators/{username}"
    data = client.http.request("PUT", path, json_body=request_body(body, fields))
    return Collaborator.from_dict(data)


def list_project_collaborators(
    client: WorkspaceClient, *, project_id: str | None = None
) -> ListProjectCollaboratorsResponse:
    """The project's owner (admin) first, then everyone given a role, by name."""
    path = f"{client._project_path(project_id)}/collaborators"
    data = client.http.request("GET", path)
    return ListProjectCollaboratorsResponse.from_dict(data)
