"""What calls take and answer: request objects with CML's field names, and answers that read
like CML's generated models (``project.owner.username``, ``listing.projects[0].id``,
``.to_dict()``).

Why answers are one generic class and not a class a schema: the server answers every field the
spec declares, so wrapping its JSON gives the same attributes without a copy of the spec here.
"""

from __future__ import annotations

import copy
import pprint
from typing import Any, ClassVar


def to_body(value: Any) -> Any:
    """JSON for a request: request objects, answers, dicts and lists of them alike."""
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, dict):
        return {k: to_body(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_body(v) for v in value]
    return value


def wrap(value: Any) -> Any:
    """Objects for JSON objects, lists of wrapped items for lists, the rest as it is."""
    if isinstance(value, dict):
        return ApiObject(value)
    if isinstance(value, list):
        return [wrap(v) for v in value]
    return value


class ApiObject:
    """One answer (or a nested part of it): its fields as attributes."""

    def __init__(self, data: dict[str, Any]) -> None:
        object.__setattr__(self, "_data", data)

    def __getattr__(self, name: str) -> Any:
        data = object.__getattribute__(self, "_data")
        if name in data:
            return wrap(data[name])
        raise AttributeError(f"the answer has no field {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        """Setting a field edits the object, so an answer can be sent back as an update."""
        self._data[name] = to_body(value)

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self._data))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ApiObject) and other._data == self._data

    def __repr__(self) -> str:
        return pprint.pformat(self._data)

    def to_dict(self) -> dict[str, Any]:
        """The JSON as plain dicts and lists (a copy: editing it leaves the answer alone)."""
        return copy.deepcopy(self._data)

    def to_str(self) -> str:
        return pprint.pformat(self._data)


class Request:
    """A request body: keyword fields, each one of ``fields``; unset fields are not sent."""

    fields: ClassVar[tuple[str, ...]] = ()

    def __init__(self, **values: Any) -> None:
        unknown = set(values) - set(self.fields)
        if unknown:
            names = ", ".join(sorted(unknown))
            raise TypeError(f"{type(self).__name__} got unexpected fields: {names}")
        for name in self.fields:
            setattr(self, name, values.get(name))

    def to_dict(self) -> dict[str, Any]:
        return {n: to_body(getattr(self, n)) for n in self.fields if getattr(self, n) is not None}

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.to_dict() == self.to_dict()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({pprint.pformat(self.to_dict())})"


class CreateProjectRequest(Request):
    fields = (
        "name",
        "description",
        "visibility",
        "parent_project",
        "git_url",
        "template",
        "organization_permission",
        "default_project_engine_type",
        "environment",
        "shared_memory_limit",
        "team_name",
    )


class AddProjectCollaboratorRequest(Request):
    fields = ("project_id", "username", "permission")


class CreateModelRequest(Request):
    fields = (
        "project_id",
        "name",
        "description",
        "disable_authentication",
        "registered_model_id",
        "run_as",
    )


class CreateModelBuildRequest(Request):
    fields = (
        "project_id",
        "model_id",
        "comment",
        "file_path",
        "function_name",
        "kernel",
        "runtime_identifier",
        "runtime_addon_identifiers",
        "registered_model_version_id",
    )


class CreateModelDeploymentRequest(Request):
    fields = (
        "project_id",
        "model_id",
        "build_id",
        "cpu",
        "memory",
        "nvidia_gpus",
        "environment",
        "replicas",
    )


class CreateJobRequest(Request):
    fields = (
        "project_id",
        "name",
        "script",
        "cpu",
        "memory",
        "nvidia_gpu",
        "parent_job_id",
        "environment",
        "arguments",
        "timeout",
        "schedule",
        "kernel",
        "recipients",
        "attachments",
        "runtime_identifier",
        "runtime_addon_identifiers",
        "kill_on_timeout",
        "timezone",
        "paused",
        "parent_id",
        "success_recipients",
        "failure_recipients",
        "timeout_recipients",
        "stopped_recipients",
        "run_as",
    )


class CreateJobRunRequest(Request):
    fields = ("project_id", "job_id", "environment", "arguments")


class CreateRegisteredModelRequest(Request):
    fields = (
        "project_id",
        "experiment_id",
        "run_id",
        "model_path",
        "model_name",
        "tags",
        "description",
        "notes",
        "visibility",
    )
