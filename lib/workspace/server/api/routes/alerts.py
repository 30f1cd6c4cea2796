"""A deployment's alerts, the job its alerts start and its training snapshot (extensions).

``POST .../alerts`` takes a detection that monitoring code measured (the workspace does not
compute drift) and shows it on ``/metrics``, in ``read_metrics`` and in the deployment's history
(``GET .../events``, kind ``alert``);
``GET .../training_snapshot`` tells monitoring code what to compare served requests with, or
answers 409 saying what the build lacks.
"""

from __future__ import annotations

from fastapi import APIRouter

from workspace.schemas import alerts as schemas
from workspace.server.api.deps import AlertsDep, Operator, RegistryDep, SessionDep, Viewer
from workspace.server.api.routes.deployments import PREFIX, deployment_in_build
from workspace.server.api.routes.jobs import job_in_project
from workspace.server.services.deployment_history import add_event
from workspace.server.services.training_data import training_snapshot
from workspace.server.storage import tables as db

router = APIRouter(prefix=PREFIX, tags=["model deployments"])


@router.post("/{deployment_id}/alerts", response_model=schemas.AlertOut)
def create_deployment_alert(
    model_id: str,
    build_id: str,
    deployment_id: str,
    body: schemas.AlertCreate,
    access: Operator,
    session: SessionDep,
    alerts: AlertsDep,
) -> schemas.AlertOut:
    """Raise an alert; 409 for feature drift on a build without a training snapshot."""
    dep = deployment_in_build(session, access.project.id, model_id, build_id, deployment_id)
    return alerts.raise_alert(session, dep, body, user_id=access.user.id)


@router.get("/{deployment_id}/training_snapshot", response_model=schemas.TrainingSnapshotOut)
def get_training_snapshot(
    model_id: str,
    build_id: str,
    deployment_id: str,
    access: Viewer,
    session: SessionDep,
    registry: RegistryDep,
) -> schemas.TrainingSnapshotOut:
    """The table snapshot the deployed model learnt from; 409 saying what is missing."""
    dep = deployment_in_build(session, access.project.id, model_id, build_id, deployment_id)
    found = training_snapshot(registry, session.get(db.Build, dep.build_id))
    return schemas.TrainingSnapshotOut.model_validate(found)


@router.put("/{deployment_id}/alert_action", response_model=schemas.AlertActionOut)
def set_alert_action(
    model_id: str,
    build_id: str,
    deployment_id: str,
    body: schemas.AlertActionIn,
    access: Operator,
    session: SessionDep,
) -> schemas.AlertActionOut:
    """Name the project job every alert on this deployment starts (e.g. its retrain job)."""
    deployment_in_build(session, access.project.id, model_id, build_id, deployment_id)
    job_in_project(session, access.project.id, body.job_id)
    action = session.get(db.AlertAction, deployment_id) or db.AlertAction(
        deployment_id=deployment_id
    )
    action.job_id = body.job_id
    session.add(action)
    add_event(
        session,
        deployment_id,
        "alert_action",
        f"alerts start job {body.job_id}",
        {"job_id": body.job_id},
    )
    session.commit()
    return schemas.AlertActionOut(deployment_id=deployment_id, job_id=body.job_id)
