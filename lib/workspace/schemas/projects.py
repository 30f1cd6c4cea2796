"""Projects and their collaborators."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AliasChoices, Field

from workspace.schemas.common import Permission, Record, Strict, UserRef
from workspace.schemas.states import ProjectStatus


class ProjectCreate(Strict):
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    template: Literal["local", "git", "blank"] = "local"
    local_path: str | None = None
    git_url: str | None = None
    environment: dict[str, str] = Field(default_factory=dict)


class ProjectUpdate(Strict):
    description: str | None = None
    environment: dict[str, str] | None = None


class ProjectOut(Record):
    id: str
    name: str
    description: str
    template: str
    local_path: str | None
    git_url: str | None
    status: ProjectStatus
    failure_reason: str | None
    environment: dict[str, str]
    creator: UserRef
    owner: UserRef = Field(validation_alias=AliasChoices("owner", "creator"))
    permission: str | None = Field(default=None, description="The caller's role in this project.")
    created_at: datetime
    updated_at: datetime


class ProjectList(Record):
    projects: list[ProjectOut]
    next_page_token: str = ""


class CollaboratorIn(Strict):
    permission: Permission


class CollaboratorOut(Record):
    username: str
    permission: str


class CollaboratorList(Record):
    collaborators: list[CollaboratorOut]
    next_page_token: str = ""
