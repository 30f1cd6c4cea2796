"""What every request and response body shares: strict requests, responses read from rows.

Why ``from_attributes``: a response body is validated straight from its table row (or a backend's
dataclass), so a field is declared once here instead of being copied by hand in every route.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

Permission = Literal["viewer", "operator", "admin"]


class Strict(BaseModel):
    """Unknown request fields are refused so a typo does not silently fall back to a default."""

    model_config = ConfigDict(extra="forbid")


class Record(BaseModel):
    """A response body: read from attributes on the server, from JSON in the client (where
    fields a newer server adds are ignored)."""

    model_config = ConfigDict(from_attributes=True, populate_by_name=True)

    def to_dict(self) -> dict:
        """The body as JSON-ready data, for callers that want plain dicts."""
        return self.model_dump(mode="json")


class UserRef(Record):
    username: str
