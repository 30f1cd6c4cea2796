"""Jobs and job runs: a project script run by hand, on a cron schedule, or after its parent."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AliasChoices, Field

from workspace.schemas.common import Record, Strict, UserRef
from workspace.schemas.states import JobRunStatus

JobType = Literal["manual", "cron", "dependent"]


class JobCreate(Strict):
    project_id: str | None = None
    name: str = Field(min_length=1, max_length=200)
    script: str = Field(min_length=1, description="Path of the script inside the project.")
    arguments: str = Field(default="", description="Command-line arguments, shell-quoted.")
    schedule: str | None = Field(default=None, description="Cron expression, e.g. '0 6 * * *'.")
    timezone: str = Field(default="UTC", description="IANA time zone the schedule is read in.")
    parent_job_id: str | None = Field(default=None, description="Run when this job succeeds.")
    type: JobType | None = Field(default=None, description="Derived from schedule and parent.")
    paused: bool = False
    cpu: float = Field(default=1.0, gt=0, le=64, description="vCPU for a run.")
    memory: float = Field(default=1.0, gt=0, le=512, description="GB for a run.")
    timeout: int = Field(default=0, ge=0, description="Seconds a run may take; 0: no limit.")
    kill_on_timeout: bool = True
    environment: dict[str, str] = Field(default_factory=dict)
    kernel: str = Field(
        default="python3", description="Replaced by the runtime's when one is named."
    )
    runtime_identifier: str = Field(default="", description="See GET /runtimes.")


class JobUpdate(Strict):
    """Every field optional: only the ones sent change (an empty schedule removes it)."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    script: str | None = None
    arguments: str | None = None
    schedule: str | None = None
    timezone: str | None = None
    parent_job_id: str | None = None
    type: JobType | None = None
    paused: bool | None = None
    cpu: float | None = Field(default=None, gt=0, le=64)
    memory: float | None = Field(default=None, gt=0, le=512)
    timeout: int | None = Field(default=None, ge=0)
    kill_on_timeout: bool | None = None
    environment: dict[str, str] | None = None
    runtime_identifier: str | None = Field(default=None, description="'' for none.")


class JobOut(Record):
    id: str
    project_id: str
    name: str
    script: str
    arguments: str
    schedule: str | None
    timezone: str
    parent_job_id: str | None
    type: str
    paused: bool
    cpu: float
    memory: float
    timeout: int
    kill_on_timeout: bool
    environment: dict[str, str]
    kernel: str
    runtime_identifier: str
    next_run_time: datetime | None = Field(
        default=None, description="When the schedule fires next (UTC)."
    )
    latest_run_status: JobRunStatus | None = None
    creator: UserRef
    created_at: datetime
    updated_at: datetime


class JobList(Record):
    jobs: list[JobOut]
    next_page_token: str = ""


class JobRunCreate(Strict):
    project_id: str | None = None
    job_id: str | None = None
    arguments: str | None = Field(default=None, description="Replaces the job's arguments.")
    environment: dict[str, str] = Field(default_factory=dict, description="Added to the job's.")


class JobRunOut(Record):
    id: str
    job_id: str
    project_id: str
    status: JobRunStatus
    failure_reason: str | None
    exit_code: int | None
    triggered_by: str
    arguments: str
    environment: dict[str, str]
    scheduling_at: datetime = Field(validation_alias=AliasChoices("scheduling_at", "created_at"))
    starting_at: datetime | None
    running_at: datetime | None
    finished_at: datetime | None
    creator: UserRef
    created_at: datetime
    updated_at: datetime


class JobRunList(Record):
    job_runs: list[JobRunOut]
    next_page_token: str = ""


class JobRunLog(Record):
    log: str
    status: JobRunStatus
