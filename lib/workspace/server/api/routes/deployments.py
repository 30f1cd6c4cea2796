"""Model deployments (cpu, memory, replicas, environment), their :stop / :restart actions and
their replicas. Work happens in the background; calls answer at once with the new status."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from sqlalchemy import select

from workspace.core.security import crn, new_id
from workspace.server import db, schemas
from workspace.server.api.deps import Operator, SessionDep, Viewer, WorkspaceDep, owned_or_404
from workspace.server.api.listing import ListParamsDep, paginate
from workspace.server.api.routes.builds import build_in_model
from workspace.server.api.views import deployment_out

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
    ws: WorkspaceDep,
) -> schemas.DeploymentOut:
    build = build_in_model(session, access.project.id, model_id, build_id)
    if build.status != "built":
        reason = f": {build.failure_reason}" if build.failure_reason else ""
        raise HTTPException(
            409, f"build '{build_id}' is {build.status}{reason}; deploy a built one"
        )
    if body.nvidia_gpus:
        raise HTTPException(400, "nvidia_gpus: the local serving backend has no GPUs to give")
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
    ws.deployer.deploy(deployment_id)
    return deployment_out(session, dep)


@router.get("", response_model=schemas.DeploymentList)
def list_model_deployments(
    model_id: str, build_id: str, access: Viewer, session: SessionDep, params: ListParamsDep
) -> schemas.DeploymentList:
    build_in_model(session, access.project.id, model_id, build_id)
    where = [db.Deployment.build_id == build_id]
    rows, token = paginate(session, db.Deployment, where, params, {"status": db.Deployment.status})
    return schemas.DeploymentList(
        model_deployments=[deployment_out(session, d) for d in rows], next_page_token=token
    )


@router.get("/{deployment_id}", response_model=schemas.DeploymentOut)
def get_model_deployment(
    model_id: str, build_id: str, deployment_id: str, access: Viewer, session: SessionDep
) -> schemas.DeploymentOut:
    dep = deployment_in_build(session, access.project.id, model_id, build_id, deployment_id)
    return deployment_out(session, dep)


@router.post("/{deployment_id}:stop", response_model=schemas.DeploymentOut)
def stop_model_deployment(
    model_id: str,
    build_id: str,
    deployment_id: str,
    access: Operator,
    session: SessionDep,
    ws: WorkspaceDep,
) -> schemas.DeploymentOut:
    dep = deployment_in_build(session, access.project.id, model_id, build_id, deployment_id)
    if dep.status in ("stopped", "stopping"):
        return deployment_out(session, dep)
    dep.status = "stopping"
    session.commit()
    ws.index.refresh_model(model_id)  # stop routing to it now, not when the replicas are gone
    ws.deployer.stop(deployment_id)
    return deployment_out(session, dep)


@router.post("/{deployment_id}:restart", response_model=schemas.DeploymentOut)
def restart_model_deployment(
    model_id: str,
    build_id: str,
    deployment_id: str,
    access: Operator,
    session: SessionDep,
    ws: WorkspaceDep,
) -> schemas.DeploymentOut:
    dep = deployment_in_build(session, access.project.id, model_id, build_id, deployment_id)
    if dep.status == "stopping":
        raise HTTPException(409, f"deployment '{deployment_id}' is stopping; wait, then restart")
    dep.status, dep.failure_reason = "deploying", None
    session.commit()
    ws.index.refresh_model(model_id)
    ws.deployer.restart(deployment_id)
    return deployment_out(session, dep)


@router.get("/{deployment_id}/replicas", response_model=schemas.ReplicaList)
def list_model_replicas(
    model_id: str,
    build_id: str,
    deployment_id: str,
    access: Viewer,
    session: SessionDep,
    ws: WorkspaceDep,
) -> schemas.ReplicaList:
    deployment_in_build(session, access.project.id, model_id, build_id, deployment_id)
    replicas = [
        schemas.ReplicaOut(
            id=r.replica_id,
            deployment_id=r.deployment_id,
            state=str(r.state),
            restarts=r.restarts,
            cpu_percent=r.cpu_percent,
            cpu_limit=r.cpu_limit,
            memory_mb=r.memory_mb,
            memory_limit_mb=r.memory_limit_mb,
            last_error=r.last_error,
        )
        for r in ws.backend.status(deployment_id)
    ]
    return schemas.ReplicaList(replicas=replicas)


@router.get("/{deployment_id}/replica_metrics", response_model=schemas.ReplicaSampleList)
def read_replica_metrics(
    model_id: str,
    build_id: str,
    deployment_id: str,
    access: Viewer,
    session: SessionDep,
    start_timestamp_ms: int = 0,
    end_timestamp_ms: int | None = None,
) -> schemas.ReplicaSampleList:
    """CPU and memory each replica used against its limits, as sampled over time."""
    deployment_in_build(session, access.project.id, model_id, build_id, deployment_id)
    stmt = select(db.ReplicaSample).where(
        db.ReplicaSample.deployment_id == deployment_id,
        db.ReplicaSample.ts_ms >= start_timestamp_ms,
    )
    if end_timestamp_ms is not None:
        stmt = stmt.where(db.ReplicaSample.ts_ms <= end_timestamp_ms)
    samples = [
        schemas.ReplicaSampleOut(
            replica_id=s.replica_id,
            timestamp_ms=s.ts_ms,
            state=s.state,
            restarts=s.restarts,
            cpu_percent=s.cpu_percent,
            cpu_limit=s.cpu_limit,
            memory_mb=s.memory_mb,
            memory_limit_mb=s.memory_limit_mb,
        )
        for s in session.scalars(stmt.order_by(db.ReplicaSample.ts_ms))
    ]
    return schemas.ReplicaSampleList(replica_metrics=samples)
