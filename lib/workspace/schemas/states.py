"""The states of projects, builds, deployments, job runs and runtimes, and the sets that mean
"active".

Why enums in one module: the server writes these states, the client waits on them and the CLI
prints them; one spelling each (a ``StrEnum`` is its string in JSON and in the database), and each
"still going" set defined once instead of as a tuple in every module that asks.
"""

from __future__ import annotations

from enum import StrEnum


class ProjectStatus(StrEnum):
    CREATING = "creating"
    SUCCESS = "success"
    FAILED = "failed"


class BuildStatus(StrEnum):
    PENDING = "pending"
    BUILDING = "building"
    BUILT = "built"
    FAILED = "failed"


class DeploymentStatus(StrEnum):
    PENDING = "pending"
    DEPLOYING = "deploying"
    DEPLOYED = "deployed"
    STOPPING = "stopping"
    STOPPED = "stopped"
    FAILED = "failed"


class JobRunStatus(StrEnum):
    """CML's ``EngineStatus`` values, as its API writes them."""

    SCHEDULING = "ENGINE_SCHEDULING"
    STARTING = "ENGINE_STARTING"
    RUNNING = "ENGINE_RUNNING"
    SUCCEEDED = "ENGINE_SUCCEEDED"
    FAILED = "ENGINE_FAILED"
    TIMEDOUT = "ENGINE_TIMEDOUT"
    STOPPED = "ENGINE_STOPPED"


class RuntimeStatus(StrEnum):
    """CML's ``RuntimeStatus``: upper case, as the spec spells it."""

    ENABLED = "ENABLED"
    DISABLED = "DISABLED"
    DEPRECATED = "DEPRECATED"


BUILDS_IN_PROGRESS = frozenset({BuildStatus.PENDING, BuildStatus.BUILDING})
"""Builds a restarted server takes up again."""

BUILDS_ENDED = frozenset(BuildStatus) - BUILDS_IN_PROGRESS
"""Builds that will not change any more: what a wait for a build ends on."""

DEPLOYMENTS_COMING_UP = frozenset({DeploymentStatus.PENDING, DeploymentStatus.DEPLOYING})
"""Deployments whose replicas are starting: worth waiting for."""

DEPLOYMENTS_RUNNING = frozenset(
    {DeploymentStatus.PENDING, DeploymentStatus.DEPLOYING, DeploymentStatus.DEPLOYED}
)
"""Deployments that should have replicas: a restarted server brings them back."""

DEPLOYMENTS_HOLDING_REPLICAS = DEPLOYMENTS_RUNNING | {DeploymentStatus.STOPPING}
"""Deployments whose replicas may still run: their model or project cannot be deleted."""

DEPLOYMENTS_SETTLED = frozenset(
    {DeploymentStatus.DEPLOYED, DeploymentStatus.STOPPED, DeploymentStatus.FAILED}
)
"""States a deployment stays in until someone acts: what a wait ends on."""

JOB_RUNS_ACTIVE = frozenset({JobRunStatus.SCHEDULING, JobRunStatus.STARTING, JobRunStatus.RUNNING})
"""Runs that still own a process (or are about to): one per job at a time."""

JOB_RUNS_FINISHED = frozenset(JobRunStatus) - JOB_RUNS_ACTIVE
