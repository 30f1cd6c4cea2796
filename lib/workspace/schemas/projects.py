"""Projects and their collaborators."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AliasChoices, BeforeValidator, Field, PlainSerializer, model_validator

from workspace.schemas.common import (
    Environment,
    EnvironmentIn,
    Permission,
    Record,
    Strict,
    Timestamp,
    UserRef,
    read_back,
)
from workspace.schemas.states import ProjectStatus

SPEC_FAILURE = "failure"

CreationStatus = Annotated[
    ProjectStatus,
    BeforeValidator(lambda value: ProjectStatus.FAILED if value == SPEC_FAILURE else value),
    PlainSerializer(
        lambda value: SPEC_FAILURE if value == ProjectStatus.FAILED else str(value),
        return_type=str,
        when_used="json",
    ),
]
"""CML's ``creation_status`` (creating, success, failure): the spec spells a failed project
``failure`` where the workspace's own ``status`` says ``failed``; read back, both are FAILED."""


class ProjectCreate(Strict):
    """CML's ``CreateProjectRequest``; ``local_path`` (a folder of the server) is ours. Fields of
    the spec this workspace has no use for (teams, organisation permissions, engine types, shared
    memory) are accepted and change nothing."""

    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    template: Literal["local", "git", "blank"] = "local"
    local_path: str | None = None
    git_url: str | None = None
    environment: EnvironmentIn = Field(default_factory=dict)
    visibility: Literal["private", "team", "public", "organization", ""] = "private"
    parent_project: str | None = None
    organization_permission: str | None = None
    default_project_engine_type: str | None = None
    shared_memory_limit: int | None = None
    team_name: str | None = None


class ProjectUpdate(Strict):
    """What an update may change; the other fields of a project read back from the API are
    accepted and ignored, so ``update_project(project_read_back)`` works as in CML."""

    description: str | None = None
    environment: EnvironmentIn | None = None

    _ignore_read_back = read_back(
        "id", "name", "owner", "creator", "visibility", "default_engine_type", "created_at",
        "updated_at", "creation_status", "permissions", "shared_memory_limit",
        "ephemeral_storage_request", "ephemeral_storage_limit", "template", "local_path",
        "git_url", "status", "failure_reason", "permission",
    )  # fmt: skip


class ProjectPermissions(Record):
    """What the caller may do in the project, as CML's ``ProjectPermissions`` says it."""

    read: bool = False
    write: bool = False
    admin: bool = False
    business_user: bool = False
    operator: bool = False
    inherit: bool = False

    @classmethod
    def of(cls, role: str | None) -> ProjectPermissions:
        rank = {"viewer": 1, "operator": 2, "admin": 3}.get(role or "", 0)
        return cls(read=rank >= 1, operator=rank >= 2, write=rank >= 2, admin=rank >= 3)


class ProjectOut(Record):
    id: str
    name: str
    description: str
    template: str
    local_path: str | None
    git_url: str | None
    status: ProjectStatus
    creation_status: CreationStatus = Field(
        validation_alias=AliasChoices("creation_status", "status")
    )
    failure_reason: str | None
    environment: Environment
    visibility: str = "private"
    default_engine_type: str = "ml_runtime"
    shared_memory_limit: int = 0
    ephemeral_storage_request: int = 0
    ephemeral_storage_limit: int = 0
    creator: UserRef
    owner: UserRef = Field(validation_alias=AliasChoices("owner", "creator"))
    permission: str | None = Field(default=None, description="The caller's role in this project.")
    permissions: ProjectPermissions = Field(default_factory=ProjectPermissions)
    created_at: Timestamp
    updated_at: Timestamp

    def for_caller(self, role: str | None) -> ProjectOut:
        """The project as a caller with ``role`` sees it: its role is part of the answer."""
        return self.model_copy(
            update={"permission": role, "permissions": ProjectPermissions.of(role)}
        )


class ProjectList(Record):
    projects: list[ProjectOut]
    next_page_token: str = ""


class CollaboratorIn(Strict):
    permission: Permission


class CollaboratorOut(Record):
    """CML's ``Collaborator`` (``user``, ``permission``), with the username also at the top."""

    username: str
    user: UserRef | None = None
    permission: str

    @model_validator(mode="after")
    def _user_from_username(self) -> CollaboratorOut:
        if self.user is None:
            self.user = UserRef(username=self.username)
        return self


class CollaboratorList(Record):
    collaborators: list[CollaboratorOut]
    next_page_token: str = ""
