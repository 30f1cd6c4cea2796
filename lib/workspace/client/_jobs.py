"""Jobs and job runs with cmlapi's method names, and ``wait_for_job_run``.

Why a mixin of its own: jobs are a resource family apart from models; ``WorkspaceClient`` gets
these methods by inheritance and the module stays small.
"""

from __future__ import annotations

import time
from typing import Any

from workspace.client import _job_models as jm
from workspace.client._errors import JobRunFailed, Timeout, WorkspaceError
from workspace.client._models import request_body as _body

V2 = "/api/v2"
TERMINAL = ("succeeded", "failed", "timedout", "stopped")


class JobsMixin:
    http: Any
    _pid: Any
    _list_params: Any

    def _jobs_path(self, project_id: str | None, job_id: str | None = None) -> str:
        path = f"{V2}/projects/{self._pid(project_id)}/jobs"
        return f"{path}/{job_id}" if job_id else path

    def create_job(self, body: Any = None, project_id: str | None = None, **fields: Any) -> jm.Job:
        data = _body(body, fields)
        path = self._jobs_path(project_id or data.pop("project_id", None))
        return jm.Job.from_dict(self.http.request("POST", path, json_body=data))

    def list_jobs(self, project_id: str | None = None, **params: Any) -> Any:
        """Jobs of one project; ``list_all_jobs`` lists them across projects."""
        data = self.http.request(
            "GET", self._jobs_path(project_id), params=self._list_params(params)
        )
        return jm.ListJobsResponse.from_dict(data)

    def list_all_jobs(self, **params: Any) -> Any:
        data = self.http.request("GET", f"{V2}/jobs", params=self._list_params(params))
        return jm.ListJobsResponse.from_dict(data)

    def get_job(self, project_id: str | None, job_id: str) -> jm.Job:
        return jm.Job.from_dict(self.http.request("GET", self._jobs_path(project_id, job_id)))

    def update_job(
        self, body: Any = None, project_id: str | None = None, job_id: str = "", **fields: Any
    ) -> jm.Job:
        """Change the fields given (cmlapi: ``update_job(body, project_id, job_id)``)."""
        data = body.to_dict() if hasattr(body, "to_dict") else dict(body or {})
        data.update(fields)
        path = self._jobs_path(project_id, job_id)
        return jm.Job.from_dict(self.http.request("PATCH", path, json_body=data))

    def delete_job(self, project_id: str | None, job_id: str) -> None:
        self.http.request("DELETE", self._jobs_path(project_id, job_id))

    def create_job_run(
        self, body: Any = None, project_id: str | None = None, job_id: str | None = None,
        **fields: Any,
    ) -> jm.JobRun:  # fmt: skip
        data = _body(body, fields)
        pid = project_id or data.pop("project_id", None)
        jid = job_id or data.pop("job_id", None)
        path = self._jobs_path(pid, jid) + "/runs"
        return jm.JobRun.from_dict(self.http.request("POST", path, json_body=data))

    def list_job_runs(self, project_id: str | None, job_id: str, **params: Any) -> Any:
        path = self._jobs_path(project_id, job_id) + "/runs"
        data = self.http.request("GET", path, params=self._list_params(params))
        return jm.ListJobRunsResponse.from_dict(data)

    def get_job_run(self, project_id: str | None, job_id: str, run_id: str) -> jm.JobRun:
        path = f"{self._jobs_path(project_id, job_id)}/runs/{run_id}"
        return jm.JobRun.from_dict(self.http.request("GET", path))

    def stop_job_run(self, project_id: str | None, job_id: str, run_id: str) -> jm.JobRun:
        path = f"{self._jobs_path(project_id, job_id)}/runs/{run_id}:stop"
        return jm.JobRun.from_dict(self.http.request("POST", path))

    def get_job_run_logs(
        self, project_id: str | None, job_id: str, run_id: str, *, tail: int = 0
    ) -> str:
        """The run's output so far (readable while it runs)."""
        path = f"{self._jobs_path(project_id, job_id)}/runs/{run_id}/logs"
        return self.http.request("GET", path, params={"tail": tail or None})["log"]

    def wait_for_job_run(
        self, project_id: str | None, job_id: str, run_id: str, *, timeout: float = 600,
        poll: float = 0.25,
    ) -> jm.JobRun:  # fmt: skip
        """Poll until the run ends; return it when it succeeded, else raise ``JobRunFailed``
        (or ``Timeout``) carrying the state and the last log lines."""
        deadline = time.monotonic() + timeout
        while True:
            run = self.get_job_run(project_id, job_id, run_id)
            if run.status == "succeeded":
                return run
            if run.status in TERMINAL or time.monotonic() > deadline:
                try:
                    tail = self.get_job_run_logs(project_id, job_id, run_id, tail=20)
                except WorkspaceError:
                    tail = ""
                if run.status in TERMINAL:
                    reason = f": {run.failure_reason}" if run.failure_reason else ""
                    raise JobRunFailed(
                        f"job run {run_id} {run.status}{reason}\n{tail}",
                        log_tail=tail,
                        status=run.status,
                    )
                raise Timeout(
                    f"job run {run_id} still {run.status} after {timeout:g} s\n{tail}",
                    log_tail=tail,
                )
            time.sleep(poll)
