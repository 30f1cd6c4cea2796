"""``CMLServiceApi``: CML's operation names and argument order, read from one table.

Why a table and one generic call: every operation is a method, a path and a body or none;
40 hand-written methods would repeat that 40 times. Arguments go as CML's generated client
takes them: the body first, then the path ids in path order (positionally or as keywords),
query parameters as keywords, and ``async_req=True`` for a thread whose ``.get()`` answers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.pool import ThreadPool
from typing import Any
from urllib.parse import quote

from cmlapi.models import to_body, wrap
from cmlapi.rest import RESTClient

LIST = ("search_filter", "sort", "page_size", "page_token")
PROJECT = "/api/v2/projects/{project_id}"
MODEL = PROJECT + "/models/{model_id}"
BUILD = MODEL + "/builds/{build_id}"
DEPLOYMENT = BUILD + "/deployments/{deployment_id}"
JOB = PROJECT + "/jobs/{job_id}"
RUN = JOB + "/runs/{run_id}"


@dataclass(frozen=True)
class Operation:
    """One operation of the spec: its method, path template, body or not, query names."""

    method: str
    path: str
    body: bool = False
    query: tuple[str, ...] = ()

    @property
    def path_params(self) -> list[str]:
        return re.findall(r"{(\w+)}", self.path)


OPERATIONS: dict[str, Operation] = {
    "list_projects": Operation(
        "GET", "/api/v2/projects", query=(*LIST, "include_public_projects", "include_all_projects")
    ),
    "create_project": Operation("POST", "/api/v2/projects", body=True),
    "get_project": Operation("GET", PROJECT),
    "update_project": Operation("PATCH", PROJECT, body=True),
    "delete_project": Operation("DELETE", PROJECT),
    "list_project_collaborators": Operation("GET", PROJECT + "/collaborators", query=LIST),
    "add_project_collaborator": Operation("PUT", PROJECT + "/collaborators/{username}", body=True),
    "delete_project_collaborator": Operation("DELETE", PROJECT + "/collaborators/{username}"),
    "list_runtimes": Operation("GET", "/api/v2/runtimes", query=LIST),
    "list_all_jobs": Operation("GET", "/api/v2/jobs", query=LIST),
    "list_jobs": Operation("GET", PROJECT + "/jobs", query=LIST),
    "create_job": Operation("POST", PROJECT + "/jobs", body=True),
    "get_job": Operation("GET", JOB),
    "update_job": Operation("PATCH", JOB, body=True),
    "delete_job": Operation("DELETE", JOB),
    "list_job_runs": Operation("GET", JOB + "/runs", query=LIST),
    "create_job_run": Operation("POST", JOB + "/runs", body=True),
    "get_job_run": Operation("GET", RUN),
    "stop_job_run": Operation("POST", RUN + ":stop"),
    "list_all_models": Operation("GET", "/api/v2/models", query=LIST),
    "list_models": Operation("GET", PROJECT + "/models", query=LIST),
    "create_model": Operation("POST", PROJECT + "/models", body=True),
    "get_model": Operation("GET", MODEL),
    "delete_model": Operation("DELETE", MODEL),
    "list_model_builds": Operation("GET", MODEL + "/builds", query=LIST),
    "create_model_build": Operation("POST", MODEL + "/builds", body=True),
    "get_model_build": Operation("GET", BUILD, query=("registered_model_version_id",)),
    "list_model_deployments": Operation("GET", BUILD + "/deployments", query=LIST),
    "create_model_deployment": Operation("POST", BUILD + "/deployments", body=True),
    "get_model_deployment": Operation("GET", DEPLOYMENT),
    "stop_model_deployment": Operation("POST", DEPLOYMENT + ":stop"),
    "restart_model_deployment": Operation("POST", DEPLOYMENT + ":restart"),
    "create_registered_model": Operation("POST", "/api/v2/registry/models", body=True),
    "get_registered_model": Operation("GET", "/api/v2/registry/models/{model_id}"),
}


class Configuration:
    """Where the workspace is, as CML's ``cmlapi.Configuration`` (``host``, ``verify_ssl``)."""

    def __init__(self, host: str = "http://localhost", verify_ssl: bool = True) -> None:
        self.host = host
        self.verify_ssl = verify_ssl
        self.timeout: float | None = None


class ApiClient:
    """The transport and the headers every call sends (``set_default_header``, as in CML's
    client, is how scripts put ``authorization: Bearer <key>``)."""

    def __init__(
        self,
        configuration: Configuration | None = None,
        header_name: str | None = None,
        header_value: str | None = None,
    ) -> None:
        self.configuration = configuration or Configuration()
        self.default_headers: dict[str, str] = {"User-Agent": "cmlapi (Logistics MLOps Lab)"}
        if header_name is not None and header_value is not None:
            self.default_headers[header_name] = header_value
        self.rest = RESTClient(self.configuration.verify_ssl, self.configuration.timeout)
        self._pool: ThreadPool | None = None

    def set_default_header(self, header_name: str, header_value: str) -> None:
        self.default_headers[header_name] = header_value

    @property
    def pool(self) -> ThreadPool:
        """Threads for ``async_req=True``, started on the first asynchronous call only."""
        if self._pool is None:
            self._pool = ThreadPool()
        return self._pool

    def call(self, operation: Operation, path_values: dict[str, Any], query: dict, body: Any):
        path = operation.path.format(**{k: quote(str(v), safe="") for k, v in path_values.items()})
        host = self.configuration.host.rstrip("/")
        answer = self.rest.request(
            operation.method, host + path, self.default_headers, query, to_body(body)
        )
        return wrap(answer)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool.join()
            self._pool = None


def _bind(name: str, operation: Operation, args: tuple, kwargs: dict) -> tuple[Any, dict, dict]:
    """Body, path values and query from CML's argument order; wrong arguments are TypeErrors."""
    positional = (["body"] if operation.body else []) + operation.path_params
    if len(args) > len(positional):
        raise TypeError(f"{name}() takes {len(positional)} positional arguments: {positional}")
    values = dict(zip(positional, args, strict=False))
    for key in positional[len(args) :]:
        if key in kwargs:
            values[key] = kwargs.pop(key)
    missing = [key for key in positional if key not in values]
    if missing:
        raise TypeError(f"{name}() missing required arguments: {', '.join(missing)}")
    unknown = set(kwargs) - set(operation.query)
    if unknown:
        raise TypeError(f"{name}() got unexpected keyword arguments: {', '.join(sorted(unknown))}")
    body = values.pop("body", None)
    return body, values, kwargs


def _method(name: str, operation: Operation) -> Callable[..., Any]:
    params = (["body"] if operation.body else []) + operation.path_params
    query = ", ".join(operation.query) or "none"

    def call(self: CMLServiceApi, *args: Any, async_req: bool = False, **kwargs: Any) -> Any:
        body, path_values, params_ = _bind(name, operation, args, kwargs)
        client = self.api_client
        if async_req:
            return client.pool.apply_async(client.call, (operation, path_values, params_, body))
        return client.call(operation, path_values, params_, body)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = (
        f"{operation.method} {operation.path}\n\n"
        f"Arguments in order: {', '.join(params) or 'none'}; query keywords: {query}; "
        "async_req=True answers a thread whose .get() answers."
    )
    return call


class CMLServiceApi:
    """CML's service: one method an operation of ``OPERATIONS``."""

    def __init__(self, api_client: ApiClient | None = None) -> None:
        self.api_client = api_client or ApiClient()


for _name, _operation in OPERATIONS.items():
    setattr(CMLServiceApi, _name, _method(_name, _operation))

__all__ = ["OPERATIONS", "ApiClient", "CMLServiceApi", "Configuration", "Operation"]
