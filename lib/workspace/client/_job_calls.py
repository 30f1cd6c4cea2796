"""Jobs and job runs, as cmlapi names the calls.

Why a module apart from the model calls: jobs are their own resource family (script, schedule,
parent job), reached through their project only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Unpack

from workspace.client._connection import Connection
from workspace.client._http import V2, ListParams, list_query, request_body
from workspace.schemas import (
    JobCreate,
    JobList,
    JobOut,
    JobRunCreate,
    JobRunList,
    JobRunLog,
    JobRunOut,
    JobUpdate,
)


def _job_path(client: Connection, project_id: str | None, job_id: str | None) -> str:
    if not job_id:
        raise TypeError("job_id is required")
    return f"{client._project_path(project_id)}/jobs/{job_id}"


def _run_path(client: Connection, project_id: str | None, job_id: str, run_id: str) -> str:
    return f"{_job_path(client, project_id, job_id)}/runs/{run_id}"


def create_job(
    client: Connection,
    body: JobCreate | Mapping[str, Any] | None = None,
    *,
    project_id: str | None = None,
    **fields: Any,
) -> JobOut:
    """A job: a script of the project with arguments, resources, and a cron ``schedule`` or a
    ``parent_job_id`` to run after (neither: it runs when asked)."""
    data = request_body(body, fields)
    path = f"{client._project_path(project_id or data.pop('project_id', None))}/jobs"
    return JobOut.model_validate(client.http.request("POST", path, json_body=data))


def list_jobs(
    client: Connection, *, project_id: str | None = None, **params: Unpack[ListParams]
) -> JobList:
    """Jobs of one project; ``list_all_jobs`` lists them across projects."""
    path = f"{client._project_path(project_id)}/jobs"
    return JobList.model_validate(client.http.request("GET", path, params=list_query(params)))


def list_all_jobs(client: Connection, **params: Unpack[ListParams]) -> JobList:
    """Jobs of every project the caller can see."""
    data = client.http.request("GET", f"{V2}/jobs", params=list_query(params))
    return JobList.model_validate(data)


def get_job(client: Connection, *, project_id: str | None = None, job_id: str) -> JobOut:
    return JobOut.model_validate(client.http.request("GET", _job_path(client, project_id, job_id)))


def update_job(
    client: Connection,
    body: JobUpdate | Mapping[str, Any] | None = None,
    *,
    project_id: str | None = None,
    job_id: str,
    **fields: Any,
) -> JobOut:
    """Change only the fields given (an empty ``schedule`` removes the schedule)."""
    data = request_body(body, fields, keep_none=True)
    path = _job_path(client, project_id, job_id)
    return JobOut.model_validate(client.http.request("PATCH", path, json_body=data))


def delete_job(client: Connection, *, project_id: str | None = None, job_id: str) -> None:
    """Delete a job that has no run in progress (a ``Conflict`` otherwise)."""
    client.http.request("DELETE", _job_path(client, project_id, job_id))


def create_job_run(
    client: Connection,
    body: JobRunCreate | Mapping[str, Any] | None = None,
    *,
    project_id: str | None = None,
    job_id: str | None = None,
    **fields: Any,
) -> JobRunOut:
    """Start a run now (``arguments`` replace the job's; ``environment`` adds to it); answers
    with status ``scheduling``."""
    data = request_body(body, fields)
    pid, jid = project_id or data.pop("project_id", None), job_id or data.pop("job_id", None)
    path = _job_path(client, pid, jid) + "/runs"
    return JobRunOut.model_validate(client.http.request("POST", path, json_body=data))


def list_job_runs(
    client: Connection,
    *,
    project_id: str | None = None,
    job_id: str,
    **params: Unpack[ListParams],
) -> JobRunList:
    path = _job_path(client, project_id, job_id) + "/runs"
    data = client.http.request("GET", path, params=list_query(params))
    return JobRunList.model_validate(data)


def get_job_run(
    client: Connection, *, project_id: str | None = None, job_id: str, run_id: str
) -> JobRunOut:
    path = _run_path(client, project_id, job_id, run_id)
    return JobRunOut.model_validate(client.http.request("GET", path))


def stop_job_run(
    client: Connection, *, project_id: str | None = None, job_id: str, run_id: str
) -> JobRunOut:
    path = _run_path(client, project_id, job_id, run_id) + ":stop"
    return JobRunOut.model_validate(client.http.request("POST", path))


def get_job_run_logs(
    client: Connection,
    *,
    project_id: str | None = None,
    job_id: str,
    run_id: str,
    tail: int = 0,
) -> str:
    """The run's output so far (readable while it runs); ``tail``: the last lines only."""
    path = _run_path(client, project_id, job_id, run_id) + "/logs"
    data = client.http.request("GET", path, params={"tail": tail or None})
    return JobRunLog.model_validate(data).log
