"""Users and their API keys."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from workspace.schemas.common import Record, Strict


class UserCreate(Strict):
    username: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.@-]+$")
    is_admin: bool = False


class UserOut(Record):
    id: str
    username: str
    is_admin: bool
    created_at: datetime


class UserWithKey(UserOut):
    api_key: str = Field(description="Shown once; only its hash is stored.")
