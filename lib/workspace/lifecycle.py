"""Model lifecycle steps that scripts and jobs share: find or create, build and deploy, redeploy.

Why here: every numbered deployment script needs the same idempotent moves (re-running makes a
new build of the same model, never a duplicate model), the same waiting, and the same safe
redeploy (traffic moves only when the new deployment is ready; the old one is stopped after; a
failed build leaves the old deployment serving).
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from workspace.client import (
    BuildFailed,
    BuildOut,
    DeploymentFailed,
    DeploymentOut,
    JobOut,
    ModelOut,
    NotFound,
    ProjectOut,
    WorkspaceClient,
)
from workspace.schemas import ReplicationPolicy
from workspace.schemas.states import DEPLOYMENTS_COMING_UP, DeploymentStatus


class UnknownModel(NotFound):
    """A model name that does not exist in the project; the message lists those that do."""


def _all(listing_call: Any, plural: str, **kwargs: Any) -> list[Any]:
    items, token = [], ""
    while True:
        page = listing_call(page_size=100, page_token=token or None, **kwargs)
        items += getattr(page, plural)
        token = page.next_page_token
        if not token:
            return items


def ensure_project(
    client: WorkspaceClient,
    name: str,
    local_path: Path,
    *,
    description: str = "",
    environment: dict[str, str] | None = None,
) -> ProjectOut:
    """The project called ``name``, created from ``local_path`` the first time."""
    found = [
        p
        for p in _all(client.list_projects, "projects", search_filter={"name": name})
        if p.name == name
    ]
    if found:
        return found[0]
    return client.create_project(
        name=name,
        description=description,
        template="local",
        local_path=str(local_path.resolve()),
        environment=environment or {},
    )


def find_project(client: WorkspaceClient, name: str) -> ProjectOut:
    """The project called ``name``; the error lists the projects that exist."""
    projects = _all(client.list_projects, "projects")
    for project in projects:
        if project.name == name:
            return project
    names = ", ".join(sorted(p.name for p in projects)) or "none"
    raise NotFound(f"no project named {name!r}; projects that exist: {names}")


def find_model(client: WorkspaceClient, project_id: str, name: str) -> ModelOut:
    """The model called ``name``; ``UnknownModel`` lists the models that exist."""
    models = _all(lambda **kw: client.list_models(project_id=project_id, **kw), "models")
    for model in models:
        if model.name == name:
            return client.get_model(project_id=project_id, model_id=model.id)
    names = ", ".join(sorted(m.name for m in models)) or "none"
    raise UnknownModel(f"no model named {name!r} in this project; models that exist: {names}")


def find_job(client: WorkspaceClient, project_id: str, name: str) -> JobOut:
    """The job called ``name`` in the project; the error lists the jobs that exist."""
    jobs = _all(lambda **kw: client.list_jobs(project_id=project_id, **kw), "jobs")
    for job in jobs:
        if job.name == name:
            return job
    names = ", ".join(sorted(j.name for j in jobs)) or "none"
    raise NotFound(f"no job named {name!r} in this project; jobs that exist: {names}")


def ensure_model(client: WorkspaceClient, project_id: str, name: str, **fields: Any) -> ModelOut:
    """The model called ``name``, created once (re-running a script adds builds, not models)."""
    try:
        return find_model(client, project_id, name)
    except UnknownModel:
        client.create_model(project_id=project_id, name=name, **fields)
        return find_model(client, project_id, name)


@dataclass(frozen=True)
class Served:
    """A model with the build and deployment now serving it."""

    project_id: str
    model: ModelOut
    build: BuildOut
    deployment: DeploymentOut


def build_and_deploy(
    client: WorkspaceClient,
    project_id: str,
    model: ModelOut,
    *,
    cpu: float,
    memory: float,
    replicas: int,
    environment: dict[str, str] | None = None,
    timeout: float = 600,
    **build_fields: Any,
) -> Served:
    """A new build (file_path + function_name, or a registered model version) and its deployment.

    Returns once the deployment answers; raises ``BuildFailed`` / ``DeploymentFailed`` with the
    reason and log tail otherwise.
    """
    build = client.create_model_build(project_id=project_id, model_id=model.id, **build_fields)
    build = client.wait_for_build(
        project_id=project_id, model_id=model.id, build_id=build.id, timeout=timeout
    )
    deployment = client.create_model_deployment(
        project_id=project_id,
        model_id=model.id,
        build_id=build.id,
        cpu=cpu,
        memory=memory,
        replicas=replicas,
        environment=environment or {},
    )
    deployment = client.wait_for_deployment(
        project_id=project_id,
        model_id=model.id,
        build_id=build.id,
        deployment_id=deployment.id,
        timeout=timeout,
    )
    return Served(project_id, model, build, deployment)


def serving(client: WorkspaceClient, project_id: str, name: str, *, wait_s: float = 180) -> Served:
    """The newest deployed deployment of the model called ``name`` (the one the endpoint uses).

    A deployment still coming up (after a restart or a first deploy) is waited for, up to
    ``wait_s`` seconds, rather than reported missing.
    """
    model = find_model(client, project_id, name)
    deadline = time.monotonic() + wait_s
    while True:
        live, coming = _deployments(client, project_id, model)
        if live:
            _, build, dep = max(live, key=lambda item: item[0])
            return Served(project_id, model, build, dep)
        if not coming or time.monotonic() > deadline:
            raise NotFound(f"model {name!r} has no deployed build: run its deployment step first")
        time.sleep(1)


def _deployments(client: WorkspaceClient, project_id: str, model: ModelOut) -> tuple[list, bool]:
    builds = _all(
        lambda **kw: client.list_model_builds(project_id=project_id, model_id=model.id, **kw),
        "model_builds",
    )
    live: list[tuple[datetime, BuildOut, DeploymentOut]] = []
    coming = False
    for build in builds:
        listing = functools.partial(
            client.list_model_deployments,
            project_id=project_id,
            model_id=model.id,
            build_id=build.id,
        )
        for dep in _all(listing, "model_deployments"):
            if dep.status == DeploymentStatus.DEPLOYED:
                live.append((dep.deployed_at or dep.created_at, build, dep))
            coming = coming or dep.status in DEPLOYMENTS_COMING_UP
    return live, coming


def redeploy(
    client: WorkspaceClient,
    current: Served,
    *,
    cpu: float,
    memory: float,
    replicas: int,
    timeout: float = 600,
    **build_fields: Any,
) -> Served:
    """New build + larger deployment; stop the old deployment only once the new one serves.

    If the new build or deployment fails, the old deployment keeps serving and the error says why.
    """
    fields = build_fields or _same_entry_point(current.build)
    try:
        new = build_and_deploy(
            client,
            current.project_id,
            current.model,
            cpu=cpu,
            memory=memory,
            replicas=replicas,
            environment=current.deployment.environment,
            timeout=timeout,
            **fields,
        )
    except (BuildFailed, DeploymentFailed) as exc:
        raise type(exc)(
            f"redeploy of {current.model.name!r} failed; deployment {current.deployment.id} "
            f"keeps serving. {exc}",
            status=exc.status,
            log_tail=exc.log_tail,
        ) from exc
    client.stop_model_deployment(
        project_id=current.project_id,
        model_id=current.model.id,
        build_id=current.build.id,
        deployment_id=current.deployment.id,
    )
    return new


def _same_entry_point(build: BuildOut) -> dict[str, Any]:
    runtime = {"runtime_identifier": build.runtime_identifier} if build.runtime_identifier else {}
    if build.registered_model_version_id:
        return {"registered_model_version_id": build.registered_model_version_id, **runtime}
    return {
        "file_path": build.file_path,
        "function_name": build.function_name,
        "kernel": build.kernel or "python3",
        **runtime,
    }


def switch_replication(
    client: WorkspaceClient, served: Served, policy: dict[str, Any] | ReplicationPolicy
) -> Served:
    """Hand the serving deployment to a replication policy in place (no new build, no restart):
    an autoscaling one brings the count within its bounds now and the workspace scales it."""
    deployment = client.update_model_deployment(
        project_id=served.project_id,
        model_id=served.model.id,
        build_id=served.build.id,
        deployment_id=served.deployment.id,
        replication_policy=ReplicationPolicy.model_validate(policy).model_dump(mode="json"),
    )
    return Served(served.project_id, served.model, served.build, deployment)
