"""What every request and response body shares: strict requests, responses read from rows.

Why ``from_attributes``: a response body is validated straight from its table row (or a backend's
dataclass), so a field is declared once here instead of being copied by hand in every route.

Why the types below: CML's API v2 is served by a grpc-gateway, so its JSON writes int64 fields as
strings, timestamps as RFC 3339 with an offset, and ``environment`` as a JSON string; a client
generated from its spec expects exactly that, while the lab's own client reads them back as an
``int``, an aware ``datetime`` and a ``dict``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    model_validator,
)

from workspace.schemas.variables import check_deployment_environment

Permission = Literal["viewer", "operator", "admin"]
BodyT = TypeVar("BodyT", bound=BaseModel)


def _as_utc(value: datetime) -> datetime:
    """The workspace stores naive UTC; the API always says so."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


Timestamp = Annotated[datetime, AfterValidator(_as_utc)]
"""An RFC 3339 timestamp with its offset (``2026-12-01T20:00:00+00:00``)."""

Int64 = Annotated[int, PlainSerializer(str, return_type=str, when_used="json")]
"""An int64 as grpc-gateway writes it: a JSON string of digits; read from a number or a string."""


OptionalText = Annotated[
    str | None,
    BeforeValidator(lambda value: None if value == "" else value),
    PlainSerializer(lambda value: value or "", return_type=str, when_used="json"),
]
"""A string field that may be unset. proto3 has no null string: grpc-gateway writes ``""``, and a
spec client reads the field as a string; read back, ``""`` is unset again (``None``)."""


def _environment_of(value: Any) -> Any:
    """A JSON string (the spec's form) or an object; a string that is no JSON object is refused."""
    if value is None:
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else {}
        except json.JSONDecodeError as exc:
            raise ValueError(f"environment is not a JSON object: {exc.msg}") from None
        if not isinstance(value, dict):
            raise ValueError("environment must be a JSON object of variable names to values")
    return value


Environment = Annotated[
    dict[str, str],
    BeforeValidator(_environment_of),
    PlainSerializer(lambda env: json.dumps(env, sort_keys=True), return_type=str, when_used="json"),
]
"""Environment variables: a JSON string in the API's answers (as CML's spec has it); accepted as
a JSON string or an object in requests; a ``dict`` in Python."""

EnvironmentIn = Annotated[dict[str, str], BeforeValidator(_environment_of)]
"""A request's environment: a JSON object, or the same as a JSON string."""

DeploymentEnvironmentIn = Annotated[
    dict[str, Any],
    BeforeValidator(_environment_of),
    AfterValidator(check_deployment_environment),
]
"""A deployment's environment: as ``EnvironmentIn``, and every variable able to reach a replica
unchanged (``workspace.schemas.variables``)."""

MASKED = "********"
ROLE_RANK = {"viewer": 1, "operator": 2, "admin": 3}


def environment_for(role: str | None, environment: dict[str, str]) -> dict[str, str]:
    """The environment as a caller with ``role`` reads it: below operator every value is masked
    and the names stay. Why all values and not only secret-looking names: CML tells users to keep
    secrets (``DB_PASSWORD``, AWS keys) in project environment variables because only project
    collaborators who may change the project and admins can view them."""
    if ROLE_RANK.get(role or "", 0) >= ROLE_RANK["operator"]:
        return environment
    return dict.fromkeys(environment, MASKED)


def shown_to(out: BodyT, role: str | None) -> BodyT:
    """``out`` (any answer with an ``environment``) as a caller with ``role`` may read it."""
    return out.model_copy(update={"environment": environment_for(role, out.environment)})


INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


class Strict(BaseModel):
    """Unknown request fields are refused so a typo does not silently fall back to a default;
    integers must fit the spec's int64, which is also what the database stores, and text holds
    no NUL character (no path, environment or PostgreSQL text column can carry one)."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="after")
    def _values_fit_storage(self) -> Strict:
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, str) and "\x00" in value:
                raise ValueError(f"{name} must not contain a NUL character")
            wrong = isinstance(value, int) and not isinstance(value, bool)
            if wrong and not INT64_MIN <= value <= INT64_MAX:
                raise ValueError(f"{name} must be a 64-bit integer, got {value}")
        return self


class Record(BaseModel):
    """A response body: read from attributes on the server, from JSON in the client (where
    fields a newer server adds are ignored)."""

    model_config = ConfigDict(from_attributes=True, populate_by_name=True)

    def to_dict(self) -> dict:
        """The body as JSON-ready data, for callers that want plain dicts."""
        return self.model_dump(mode="json")


class UserRef(Record):
    """CML's ``ShortUser``: who created or owns something. The workspace keeps usernames only, so
    ``name`` is the username and ``email`` is empty."""

    username: str
    name: str = ""
    email: str = ""

    @model_validator(mode="after")
    def _name_defaults_to_username(self) -> UserRef:
        if not self.name:
            self.name = self.username
        return self


def read_back(*fields: str) -> Any:
    """A before-validator that drops ``fields`` from a request: the read-only fields of an object
    read back from the API, which CML's clients send back in an update."""

    def drop(cls: type, data: Any) -> Any:
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if key not in fields}
        return data

    return model_validator(mode="before")(classmethod(drop))
