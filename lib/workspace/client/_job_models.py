"""Typed records of jobs and job runs, named after cmlapi's (``CreateJobRequest``, ``JobRun``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from workspace.client._models import _page, _Record


@dataclass
class CreateJobRequest(_Record):
    name: str
    script: str
    arguments: str = ""
    schedule: str | None = None
    timezone: str = "UTC"
    parent_job_id: str | None = None
    type: str | None = None
    paused: bool = False
    cpu: float = 1.0
    memory: float = 1.0
    timeout: int = 0
    kill_on_timeout: bool = True
    environment: dict[str, str] = field(default_factory=dict)
    project_id: str | None = None


@dataclass
class CreateJobRunRequest(_Record):
    arguments: str | None = None
    environment: dict[str, str] = field(default_factory=dict)
    project_id: str | None = None
    job_id: str | None = None


@dataclass
class Job(_Record):
    id: str = ""
    project_id: str = ""
    name: str = ""
    script: str = ""
    arguments: str = ""
    schedule: str | None = None
    timezone: str = "UTC"
    parent_job_id: str | None = None
    type: str = ""
    paused: bool = False
    cpu: float = 0.0
    memory: float = 0.0
    timeout: int = 0
    kill_on_timeout: bool = True
    environment: dict[str, str] = field(default_factory=dict)
    next_run_time: str | None = None
    latest_run_status: str | None = None
    creator: dict[str, str] = field(default_factory=dict)
    created_at: str = ""
    updated_at: str = ""


@dataclass
class JobRun(_Record):
    id: str = ""
    job_id: str = ""
    project_id: str = ""
    status: str = ""
    failure_reason: str | None = None
    exit_code: int | None = None
    triggered_by: str = ""
    arguments: str = ""
    environment: dict[str, str] = field(default_factory=dict)
    scheduling_at: str = ""
    starting_at: str | None = None
    running_at: str | None = None
    finished_at: str | None = None
    creator: dict[str, str] = field(default_factory=dict)
    created_at: str = ""
    updated_at: str = ""


ListJobsResponse = _page("jobs", Job)
ListJobRunsResponse = _page("job_runs", JobRun)
