"""Users and their API keys."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from workspace.schemas.common import Record, Strict, Timestamp


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


class V2KeyCreate(Strict):
    """CML's ``CreateV2KeyRequest``: ``expiry_date`` in RFC 3339 (optional), a comment."""

    username: str | None = None
    expiry_date: Timestamp | None = None
    comments: str = Field(default="", max_length=100)


class V2KeyDetails(Record):
    """CML's ``V2KeyDetails``: a key as listed, never the key itself."""

    key_id: str
    created_at: Timestamp
    expiry_date: Timestamp | None = None
    comments: str = ""


class V2KeyCreated(V2KeyDetails):
    """CML's ``CreateV2KeyResponse``: the new key, shown once."""

    api_key: str


class V2KeyList(Record):
    keys: list[V2KeyDetails]
