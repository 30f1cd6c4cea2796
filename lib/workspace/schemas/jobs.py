"""Jobs and job runs: a project script run by hand, on a cron schedule, or after its parent."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AliasChoices, Field, model_validator

from workspace.schemas.common import (
    Environment,
    EnvironmentIn,
    Int64,
    OptionalText,
    Record,
    Strict,
    Timestamp,
    UserRef,
    read_back,
)
from workspace.schemas.models import ShortProject
from workspace.schemas.states import JobRunStatus

JobType = Literal["manual", "cron", "dependent"]


class JobCreate(Strict):
    project_id: str | None = None
    name: str = Field(min_length=1, max_length=200)
    script: str = Field(min_length=1, description="Path of the script inside the project.")
    arguments: str = Field(default="", description="Command-line arguments, shell-quoted.")
    schedule: str | None = Field(default=None, description="Cron expression, e.g. '0 6 * * *'.")
    timezone: str = Field(default="UTC", description="IANA time zone the schedule is read in.")
    parent_job_id: str | None = Field(
        default=None,
        validation_alias=AliasChoices("parent_job_id", "parent_id"),
        description="Run when this job succeeds (CML also calls it parent_id).",
    )
    type: JobType | None = Field(default=None, description="Derived from schedule and parent.")
    paused: bool = False
    cpu: float = Field(default=1.0, gt=0, le=64, description="vCPU for a run.")
    memory: float = Field(default=1.0, gt=0, le=512, description="GB for a run.")
    nvidia_gpu: int = Field(default=0, ge=0, description="Accepted; a CPU machine gives none.")
    timeout: int = Field(default=0, ge=0, description="Seconds a run may take; 0: no limit.")
    kill_on_timeout: bool = True
    environment: EnvironmentIn = Field(default_factory=dict)
    kernel: str = Field(
        default="python3", description="Replaced by the runtime's when one is named."
    )
    runtime_identifier: str = Field(default="", description="See GET /runtimes.")
    runtime_addon_identifiers: list[str] = Field(default_factory=list)
    # Notification and run-as settings of CML's spec: accepted, not acted on here.
    recipients: list[Any] = Field(default_factory=list)
    attachments: list[str] = Field(default_factory=list)
    success_recipients: str | None = None
    failure_recipients: str | None = None
    timeout_recipients: str | None = None
    stopped_recipients: str | None = None
    run_as: int | None = None


class JobUpdate(Strict):
    """Every field optional: only the ones sent change (an empty schedule removes it). The
    read-only fields of a job read back from the API are accepted and ignored, so
    ``update_job(job_read_back)`` works as in CML."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    script: str | None = None
    arguments: str | None = None
    schedule: str | None = None
    timezone: str | None = None
    parent_job_id: str | None = Field(
        default=None, validation_alias=AliasChoices("parent_job_id", "parent_id")
    )
    type: JobType | None = None
    paused: bool | None = None
    cpu: float | None = Field(default=None, gt=0, le=64)
    memory: float | None = Field(default=None, gt=0, le=512)
    timeout: int | None = Field(default=None, ge=0)
    kill_on_timeout: bool | None = None
    environment: EnvironmentIn | None = None
    kernel: str | None = None
    runtime_identifier: str | None = Field(default=None, description="'' for none.")

    _ignore_read_back = read_back(
        "id", "project_id", "creator", "owner", "project", "created_at", "updated_at",
        "engine_image_id", "english_schedule", "nvidia_gpu", "runtime_addon_identifiers",
        "run_as", "next_run_time", "latest_run_status",
    )  # fmt: skip

    @model_validator(mode="before")
    @classmethod
    def _one_parent(cls, data: Any) -> Any:
        """A job read back carries its parent twice (``parent_job_id`` and ``parent_id``)."""
        if isinstance(data, dict) and "parent_job_id" in data and "parent_id" in data:
            return {key: value for key, value in data.items() if key != "parent_id"}
        return data


class JobOut(Record):
    id: str
    project_id: str
    name: str
    script: str
    arguments: str
    schedule: OptionalText
    timezone: str
    parent_job_id: OptionalText
    parent_id: OptionalText = Field(validation_alias=AliasChoices("parent_id", "parent_job_id"))
    type: str
    paused: bool
    cpu: float
    memory: float
    nvidia_gpu: int = 0
    timeout: Int64
    kill_on_timeout: bool
    environment: Environment
    kernel: str
    runtime_identifier: str
    runtime_addon_identifiers: list[str] = Field(default_factory=list)
    english_schedule: str = ""
    engine_image_id: Int64 = 0
    run_as: int = 0
    next_run_time: Timestamp | None = Field(
        default=None, description="When the schedule fires next (UTC)."
    )
    latest_run_status: JobRunStatus | None = None
    project: ShortProject
    creator: UserRef
    owner: UserRef = Field(validation_alias=AliasChoices("owner", "creator"))
    created_at: Timestamp
    updated_at: Timestamp


class JobList(Record):
    jobs: list[JobOut]
    next_page_token: str = ""


class JobRunCreate(Strict):
    project_id: str | None = None
    job_id: str | None = None
    arguments: str | None = Field(default=None, description="Replaces the job's arguments.")
    environment: EnvironmentIn = Field(default_factory=dict, description="Added to the job's.")


class JobRunOut(Record):
    id: str
    job_id: str
    project_id: str
    status: JobRunStatus
    failure_reason: str | None
    exit_code: int | None
    triggered_by: str
    arguments: str
    environment: Environment
    kernel: str
    cpu: float
    memory: float
    nvidia_gpu: int = 0
    runtime_identifier: str
    scheduling_at: Timestamp = Field(validation_alias=AliasChoices("scheduling_at", "created_at"))
    starting_at: Timestamp | None
    running_at: Timestamp | None
    finished_at: Timestamp | None
    creator: UserRef
    created_at: Timestamp
    updated_at: Timestamp


class JobRunList(Record):
    job_runs: list[JobRunOut]
    next_page_token: str = ""


class JobRunLog(Record):
    log: str
    status: JobRunStatus
