"""Model deployments (cpu, memory, replicas, environment), their :stop / :restart actions and
their replicas. Work happens in the background; calls answer at once with the new status."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from sqlalchemy import select

from workspace import schemas
from workspace.core.security import crn, new_id
from workspace.schemas.common import shown_to
from workspace.schemas.states import BuildStatus
from workspace.server.api.deps import (
    BackendDep,
    DeployerDep,
    Operator,
    SessionDep,
    Viewer,
    owned_or_404,
)
from workspace.server.api.listing import ListParamsDep, TimestampParam, paginate
from workspace.server.api.routes.builds import build_in_model
from workspace.server.storage import tables as db

PREFIX = "/projects/{project_id}/models/{model_id}/builds/{build_id}/deployments"
router = APIRouter(prefix=PREFIX, tags=["model deployments"])


def deployment_in_build(
    session: SessionDep, project_id: str, model_id: str, build_id: str, deployment_id: str
) -> db.Deployment:
    build_in_model(session, project_id, model_id, build_id)
    return owned_or_404(session, db.Deployment, deployment_id, ("build_id", build_id), "deployment")


@router.post("", response_model=schemas.DeploymentOut)
def create_model_deployment(
    model_id: str,
    build_id: str,
    body: schemas.DeploymentCreate,
    access: Operator,
    session: SessionDep,
    deployer: DeployerDep,
) -> schemas.DeploymentOut:
    build = build_in_model(session, access.project.id, model_id, build_id)
    if build.status == BuildStatus.FAILED:
        reason = f": {build.failure_reason}" if build.failure_reason else ""
        raise HTTPException(409, f"build '{build_id}' failed{reason}; deploy a built one")
    deployment_id = new_id()
    dep = db.Deployment(
        id=deployment_id,
        build_id=build.id,
        model_id=model_id,
        project_id=access.project.id,
        crn=crn("deployment", deployment_id),
        cpu=body.cpu,
        memory=body.memory,
        nvidia_gpus=body.nvidia_gpus,
        replicas=body.replicas,
        environment=body.environment,
        creator_id=access.user.id,
    )
    session.add(dep)
    session.commit()
    deployer.deploy(deployment_id)
    return schemas.DeploymentOut.model_validate(dep)


@router.get("", response_model=schemas.DeploymentList)
def list_model_deployments(
    model_id: str,
    build_id: str,
    access: Viewer,
    session: SessionDep,
    params: ListParamsDep,
    deployer: DeployerDep,
) -> schemas.DeploymentList:
    build_in_model(session, access.project.id, model_id, build_id)
    where = [db.Deployment.build_id == build_id]
    rows, token = paginate(session, db.Deployment, where, params, {"status": db.Deployment.status})
    shown = [
        shown_to(schemas.DeploymentOut.model_validate(deployer.observed(r)), access.role)
        for r in rows
    ]
    return schemas.DeploymentList(model_deployments=shown, next_page_token=token)


@router.get("/{deployment_id}", response_model=schemas.DeploymentOut)
def get_model_deployment(
    model_id: str,
    build_id: str,
    deployment_id: str,
    access: Viewer,
    session: SessionDep,
    deployer: DeployerDep,
) -> schemas.DeploymentOut:
    dep = deployment_in_build(session, access.project.id, model_id, build_id, deployment_id)
    return shown_to(schemas.DeploymentOut.model_validate(deployer.observed(dep)), access.role)


@router.post("/{deployment_id}:stop", response_model=schemas.DeploymentOut)
def stop_model_deployment(
    model_id: str,
    build_id: str,
    deployment_id: str,
    access: Operator,
    session: SessionDep,
    deployer: DeployerDep,
) -> schemas.DeploymentOut:
    deployment_in_build(session, access.project.id, model_id, build_id, deployment_id)
    return schemas.DeploymentOut.model_validate(deployer.stop(deployment_id))


@router.post("/{deployment_id}:restart", response_model=schemas.DeploymentOut)
def restart_model_deployment(
    model_id: str,
    build_id: str,
    deployment_id: str,
    access: Operator,
    session: SessionDep,
    deployer: DeployerDep,
) -> schemas.DeploymentOut:
    deployment_in_build(session, access.project.id, model_id, build_id, deployment_id)
    return schemas.DeploymentOut.model_validate(deployer.restart(deployment_id))


@router.get("/{deployment_id}/replicas", response_model=schemas.ReplicaList)
def list_model_replicas(
    model_id: str,
    build_id: str,
    deployment_id: str,
    access: Viewer,
    session: SessionDep,
    backend: BackendDep,
) -> schemas.ReplicaList:
    deployment_in_build(session, access.project.id, model_id, build_id, deployment_id)
    return schemas.ReplicaList(replicas=backend.status(deployment_id))


@router.get("/{deployment_id}/replica_metrics", response_model=schemas.ReplicaSampleList)
def read_replica_metrics(
    model_id: str,
    build_id: str,
    deployment_id: str,
    access: Viewer,
    session: SessionDep,
    start_timestamp_ms: TimestampParam = 0,
    end_timestamp_ms: TimestampParam | None = None,
) -> schemas.ReplicaSampleList:
    """CPU and memory each replica used against its limits, as sampled over time."""
    deployment_in_build(session, access.project.id, model_id, build_id, deployment_id)
    stmt = select(db.ReplicaSample).where(
        db.ReplicaSample.deployment_id == deployment_id,
        db.ReplicaSample.ts_ms >= start_timestamp_ms,
    )
    if end_timestamp_ms is not None:
        stmt = stmt.where(db.ReplicaSample.ts_ms <= end_timestamp_ms)
    samples = session.scalars(stmt.order_by(db.ReplicaSample.ts_ms)).all()
    return schemas.ReplicaSampleList(replica_metrics=samples)
