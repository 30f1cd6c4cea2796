"""Model deployments (cpu, memory, replicas, environment), their :stop / :restart actions and
their replicas. Work happens in the background; calls answer at once with the new status."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from sqlalchemy import select

from workspace import schemas
from workspace.core.security import crn, new_id
from workspace.schemas.common import shown_to
from workspace.schemas.models import ReplicationPolicy
from workspace.schemas.states import BuildStatus, DeploymentStatus
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
from workspace.server.services.autoscaler import check_policy_fits
from workspace.server.services.deployment_history import add_event, list_events
from workspace.server.storage import tables as db

PREFIX = "/projects/{project_id}/models/{model_id}/builds/{build_id}/deployments"
router = APIRouter(prefix=PREFIX, tags=["model deployments"])
BUSY = frozenset({DeploymentStatus.PENDING, DeploymentStatus.DEPLOYING, DeploymentStatus.STOPPING})


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
    backend: BackendDep,
) -> schemas.DeploymentOut:
    build = build_in_model(session, access.project.id, model_id, build_id)
    if build.status == BuildStatus.FAILED:
        reason = f": {build.failure_reason}" if build.failure_reason else ""
        raise HTTPException(409, f"build '{build_id}' failed{reason}; deploy a built one")
    replicas, policy = _starting_replication(body, session.get(db.Model, model_id), backend)
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
        replicas=replicas,
        autoscaling_policy=policy.model_dump() if policy.autoscaling else None,
        environment=body.environment,
        creator_id=access.user.id,
    )
    session.add(dep)
    if policy.autoscaling:
        add_event(session, deployment_id, "replication", f"deployed with {policy.describe()}")
    session.commit()
    deployer.deploy(deployment_id)
    return schemas.DeploymentOut.model_validate(dep)


def _starting_replication(
    body: schemas.DeploymentCreate, model: db.Model, backend: BackendDep
) -> tuple[int, ReplicationPolicy]:
    """The count a new deployment starts at and its policy: the body's policy, else the model's
    default autoscaling policy unless the body fixes ``replicas``, else ``replicas`` fixed."""
    policy = body.replication_policy
    if policy is None and "replicas" not in body.model_fields_set:
        default = ReplicationPolicy.of(model.default_replication_policy, body.replicas)
        policy = default if default.autoscaling else None
    if policy is None:
        return body.replicas, ReplicationPolicy(type="fixed", num_replicas=body.replicas)
    check_policy_fits(backend, policy, cpu=body.cpu, memory_gb=body.memory)
    given = "replicas" in body.model_fields_set
    start = policy.bounded(body.replicas) if given else int(policy.num_replicas or 1)
    return start, policy


@router.patch("/{deployment_id}", response_model=schemas.DeploymentOut)
def update_model_deployment(
    model_id: str,
    build_id: str,
    deployment_id: str,
    body: schemas.DeploymentUpdate,
    access: Operator,
    session: SessionDep,
    deployer: DeployerDep,
    backend: BackendDep,
) -> schemas.DeploymentOut:
    """Extension: switch the deployment to a fixed count (``replicas``) or to a replication
    policy (``replication_policy``) in place; running replicas stay, the count changes at once
    to lie within the new bounds."""
    dep = deployment_in_build(session, access.project.id, model_id, build_id, deployment_id)
    if dep.status in BUSY:
        raise HTTPException(
            409,
            f"deployment '{deployment_id}' is {dep.status}; change its replication once "
            "it is deployed or stopped",
        )
    policy = body.policy
    check_policy_fits(backend, policy, cpu=dep.cpu, memory_gb=dep.memory)
    replicas = policy.bounded(dep.replicas)
    running = dep.status == DeploymentStatus.DEPLOYED
    if running and replicas != dep.replicas and not deployer.scale(deployment_id, replicas, 5.0):
        raise HTTPException(409, f"deployment '{deployment_id}' is busy; try again")
    dep.replicas = replicas  # a stopped one starts this many on its next restart
    dep.autoscaling_policy = policy.model_dump() if policy.autoscaling else None
    add_event(session, deployment_id, "replication", f"switched to {policy.describe()}")
    session.commit()
    return shown_to(schemas.DeploymentOut.model_validate(dep), access.role)


@router.get("/{deployment_id}/events", response_model=schemas.DeploymentEventList)
def list_deployment_events(
    model_id: str,
    build_id: str,
    deployment_id: str,
    access: Viewer,
    session: SessionDep,
    kind: str | None = None,
    start_timestamp_ms: TimestampParam = 0,
    end_timestamp_ms: TimestampParam | None = None,
) -> schemas.DeploymentEventList:
    """Extension: the deployment's history, oldest first (autoscaling decisions are kind
    ``autoscaling``, replication switches ``replication``)."""
    deployment_in_build(session, access.project.id, model_id, build_id, deployment_id)
    events = list_events(
        session,
        deployment_id,
        kind=kind,
        start_timestamp_ms=start_timestamp_ms,
        end_timestamp_ms=end_timestamp_ms,
    )
    return schemas.DeploymentEventList(events=events)


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
