"""The operations of CML's API v2 this workspace does not serve: 501 naming the operation, never a
404, so a client generated from CML's spec learns it reached a workspace, not a wrong URL.

Why a table: a spec client calls these by their spec path; telling "not served here" from "no
such path" needs the spec's list, kept here as (method, path template, operation) facts.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, HTTPException, Request

router = APIRouter(tags=["not served"], include_in_schema=False)

NOT_SERVED: tuple[tuple[str, str, str], ...] = (
    ("GET", "/experiments", "list_all_experiments"),
    ("GET", "/newsfeeds/{category}", "list_news_feeds"),
    ("GET", "/projects/batch", "batch_list_projects"),
    ("GET", "/projects/{project_id}/applications", "list_applications"),
    ("POST", "/projects/{project_id}/applications", "create_application"),
    ("GET", "/projects/{project_id}/applications/{application_id}", "get_application"),
    ("PATCH", "/projects/{project_id}/applications/{application_id}", "update_application"),
    ("DELETE", "/projects/{project_id}/applications/{application_id}", "delete_application"),
    ("POST", "/projects/{project_id}/applications/{application_id}:restart", "restart_application"),
    ("POST", "/projects/{project_id}/applications/{application_id}:stop", "stop_application"),
    ("GET", "/projects/{project_id}/experiments", "list_experiments"),
    ("POST", "/projects/{project_id}/experiments", "create_experiment"),
    ("GET", "/projects/{project_id}/experiments/{experiment_id}", "get_experiment"),
    ("PATCH", "/projects/{project_id}/experiments/{experiment_id}", "update_experiment"),
    ("DELETE", "/projects/{project_id}/experiments/{experiment_id}", "delete_experiment"),
    ("GET", "/projects/{project_id}/experiments/{experiment_id}/runs", "list_experiment_runs"),
    ("POST", "/projects/{project_id}/experiments/{experiment_id}/runs", "create_experiment_run"),
    (
        "GET",
        "/projects/{project_id}/experiments/{experiment_id}/runs/{run_id}",
        "get_experiment_run",
    ),
    (
        "PATCH",
        "/projects/{project_id}/experiments/{experiment_id}/runs/{run_id}",
        "update_experiment_run",
    ),
    (
        "DELETE",
        "/projects/{project_id}/experiments/{experiment_id}/runs/{run_id}",
        "delete_experiment_run",
    ),
    (
        "GET",
        "/projects/{project_id}/experiments/{experiment_id}/runs/{run_id}/metrics/{metric_key}",
        "get_experiment_run_metrics",
    ),
    (
        "POST",
        "/projects/{project_id}/experiments/{experiment_id}/runs/{run_id}:deletebatch",
        "delete_experiment_run_batch",
    ),
    (
        "POST",
        "/projects/{project_id}/experiments/{experiment_id}/runs/{run_id}:logbatch",
        "log_experiment_run_batch",
    ),
    ("GET", "/projects/{project_id}/files/{path}", "list_project_files"),
    ("PATCH", "/projects/{project_id}/files/{path}", "update_project_file_metadata"),
    ("DELETE", "/projects/{project_id}/files/{path}", "delete_project_file"),
    ("GET", "/projects/{project_id}/machineusers", "list_all_run_as_machine_user_collaborators"),
    ("PATCH", "/projects/{project_id}/models/{model_id}", "update_model"),
    ("DELETE", "/projects/{project_id}/models/{model_id}/builds/{build_id}", "delete_model_build"),
    ("GET", "/registry/models", "list_registered_models"),
    ("PATCH", "/registry/models", "update_registered_model"),
    ("PATCH", "/registry/models/{model_id}", "update_registered_model_version"),
    ("DELETE", "/registry/models/{model_id}", "delete_registered_model"),
    ("GET", "/registry/models/{model_id}/versions/{version_id}", "get_registered_model_version"),
    (
        "DELETE",
        "/registry/models/{model_id}/versions/{version_id}",
        "delete_registered_model_version",
    ),
    ("GET", "/runtimeaddons", "list_runtime_addons"),
    ("POST", "/runtimeaddons:updatestatus", "update_runtime_addon_status"),
    ("GET", "/runtimerepos", "list_runtime_repos"),
    ("POST", "/runtimerepos", "create_runtime_repo"),
    ("PATCH", "/runtimerepos/{runtime_repo_id}", "update_runtime_repo"),
    ("DELETE", "/runtimerepos/{runtime_repo_id}", "delete_runtime_repo"),
    ("POST", "/runtimes", "register_custom_runtime"),
    ("POST", "/runtimes:update", "update_runtime_status"),
    ("GET", "/runtimes:validate", "validate_custom_runtime"),
    ("POST", "/site/config:update", "disable_engines"),
    ("POST", "/site/teams", "create_team"),
    ("GET", "/users/{user_id}", "get_short_user_by_id"),
    ("POST", "/users/{username}/v1_key:rotate", "rotate_v1_key"),
    ("GET", "/users/{username}/v2_keys", "list_v2_keys"),
    ("POST", "/users/{username}/v2_keys", "create_v2_key"),
    ("DELETE", "/users/{username}/v2_keys", "delete_v2_keys"),
    ("DELETE", "/users/{username}/v2_keys/{key_id}", "delete_v2_key"),
)


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    body = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts if p)
    return re.compile(f"^{body}$")


_MATCHERS = [(method, _pattern(path), name) for method, path, name in NOT_SERVED]
_ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def operation_not_served(method: str, path: str) -> str | None:
    """The spec's name of the operation ``method path`` (below /api/v2) when we do not serve it."""
    for wanted, pattern, name in _MATCHERS:
        if wanted == method and pattern.match(path):
            return name
    return None


@router.api_route("/{rest:path}", methods=_ALL_METHODS)
def not_served(rest: str, request: Request) -> None:
    """Every /api/v2 path no other route took: 501 for a spec operation, else 404."""
    name = operation_not_served(request.method, "/" + rest)
    if name is not None:
        raise HTTPException(
            501, f"{name} is an operation of CML's API v2 this workspace does not serve"
        )
    raise HTTPException(404, f"no API v2 operation {request.method} /api/v2/{rest}")
