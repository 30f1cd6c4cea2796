"""Jobs and job runs, as cmlapi names the calls.

Why a module apart from the model calls: jobs are their own resource family (script, schedule,
parent job), reached through their project only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Unpack

from workspace.client._http import V2, ListParams, list_query, request_body
from workspace.client._job_models import (
    CreateJobRequest,
    CreateJobRunRequest,
    Job,
    JobRun,
    ListJobRunsResponse,
    ListJobsResponse,
)

if TYPE_CHECKING:
    from workspace.client._client import WorkspaceClient


def _job_path(client: WorkspaceClient, project_id: str | None, job_id: str | None) -> str:
    if not job_id:
        raise TypeError("job_id is required")
    return f"{client._project_path(project_id)}/jobs/{job_id}"


def _run_path(client: WorkspaceClient, project_id: str | None, job_id: str, run_id: str) -> str:
    return f"{_job_path(client, project_id, job_id)}/runs/{run_id}"


def create_job(
    client: WorkspaceClient,
    body: CreateJobRequest | Mapping[str, Any] | None = None,
    *,
    project_id: str | None = None,
    **fields: Any,
) -> Job:
    """A job: a script of the project with arguments, resources, and a cron ``schedule`` or a
    ``parent_job_id`` to run after (neither: it runs when asked)."""
    data = request_body(body, fields)
    path = f"{client._project_path(project_id or data.pop('project_id', None))}/jobs"
    return Job.from_dict(client.http.request("POST", path, json_body=data))


def list_jobs(
    client: WorkspaceClient, *, project_id: str | None = None, **params: Unpack[ListParams]
) -> ListJobsResponse:
    """Jobs of one project; ``list_all_jobs`` lists them across projects."""
    path = f"{client._project_path(project_id)}/jobs"
    return ListJobsResponse.from_dict(client.http.request("GET", path, params=list_query(params)))


def list_all_jobs(client: WorkspaceClient, **params: Unpack[ListParams]) -> ListJobsResponse:
    """Jobs of every project the caller can see."""
    data = client.http.request("GET", f"{V2}/jobs", params=list_query(params))
    return ListJobsResponse.from_dict(data)


def get_job(client: WorkspaceClient, *, project_id: str | None = None, job_id: str) -> Job:
    return Job.from_dict(client.http.request("GET", _job_path(client, project_id, job_id)))


def update_job(
    client: WorkspaceClient,
    body: Mapping[str, Any] | None = None,
    *,
    project_id: str | None = None,
    job_id: str,
    **fields: Any,
) -> Job:
    """Change only the fields given (an empty ``schedule`` removes the schedule)."""
    data = request_body(body, fields, keep_none=True)
    path = _job_path(client, project_id, job_id)
    return Job.from_dict(client.http.request("PATCH", path, json_body=data))


def delete_job(client: WorkspaceClient, *, project_id: str | None = None, job_id: str) -> None:
    """Delete a job that has no run in progress (a ``Conflict`` otherwise)."""
    client.http.request("DELETE", _job_path(client, project_id, job_id))


def create_job_run(
    client: WorkspaceClient,
    body: CreateJobRunRequest | Mapping[str, Any] | None = None,
    *,
    project_id: str | None = None,
    job_id: str | None = None,
    **fields: Any,
) -> JobRun:
    """Start a run now (``arguments`` replace the job's; ``environment`` adds to it); answers
    with status ``scheduling``."""
    data = request_body(body, fields)
    pid, jid = project_id or data.pop("project_id", None), job_id or data.pop("job_id", None)
    path = _job_path(client, pid, jid) + "/runs"
    return JobRun.from_dict(client.http.request("POST", path, json_body=data))


def list_job_runs(
    client: WorkspaceClient,
    *,
    project_id: str | None = None,
    job_id: str,
    **params: Unpack[ListParams],
) -> ListJobRunsResponse:
    path = _job_path(client, project_id, job_id) + "/runs"
    data = client.http.request("GET", path, params=list_query(params))
    return ListJobRunsResponse.from_dict(data)


def get_job_run(
    client: WorkspaceClient, *, project_id: str | None = None, job_id: str, run_id: str
) -> JobRun:
    path = _run_path(client, project_id, job_id, run_id)
    return JobRun.from_dict(client.http.request("GET", path))


def stop_job_run(
    client: WorkspaceClient, *, project_id: str | None = None, job_id: str, run_id: str
) -> JobRun:
    path = _run_path(client, project_id, job_id, run_id) + ":stop"
    return JobRun.from_dict(client.http.request("POST", path))


def get_job_run_logs(
    client: WorkspaceClient,
    *,
    project_id: str | None = None,
    job_id: str,
    run_id: str,
    tail: int = 0,
) -> str:
    """The run's output so far (readable while it runs); ``tail``: the last lines only."""
    path = _run_path(client, project_id, job_id, run_id) + "/logs"
    return client.http.request("GET", path, params={"tail": tail or None})["log"]
