"""Models: a named endpoint with an access key; builds and deployments hang below it."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from sqlalchemy import select

from workspace import schemas
from workspace.core.security import crn, new_access_key, new_id
from workspace.schemas.states import DEPLOYMENTS_HOLDING_REPLICAS
from workspace.server.api.deps import (
    BackendDep,
    CurrentUser,
    IndexDep,
    Operator,
    ProjectAdmin,
    SessionDep,
    Viewer,
    owned_or_404,
    visible_projects,
)
from workspace.server.api.listing import ListParamsDep, paginate, user_fields
from workspace.server.services.autoscaler import check_policy_fits
from workspace.server.storage import tables as db

router = APIRouter(prefix="/projects/{project_id}/models", tags=["models"])
all_models_router = APIRouter(prefix="/models", tags=["models"])

FIELDS = {
    "name": db.Model.name,
    "description": db.Model.description,
    "auth_enabled": db.Model.auth_enabled,
    **user_fields(db.Model.creator_id),
}


def model_in_project(session: SessionDep, project_id: str, model_id: str) -> db.Model:
    return owned_or_404(session, db.Model, model_id, ("project_id", project_id), "model")


@router.post("", response_model=schemas.ModelOut)
def create_model(
    body: schemas.ModelCreate, access: Operator, session: SessionDep, backend: BackendDep
) -> schemas.ModelOut:
    project = access.project
    policy = body.default_replication_policy
    check_policy_fits(backend, policy)  # its size is checked where a deployment gives one
    if body.project_id and body.project_id != project.id:
        raise HTTPException(400, "project_id in the body differs from the one in the path")
    taken = session.scalar(
        select(db.Model.id).where(db.Model.project_id == project.id, db.Model.name == body.name)
    )
    if taken:
        raise HTTPException(
            409, f"project '{project.name}' already has a model named '{body.name}' (id {taken})"
        )
    model_id = new_id()
    model = db.Model(
        id=model_id,
        project_id=project.id,
        name=body.name,
        description=body.description,
        crn=crn("model", model_id),
        access_key=new_access_key(),
        auth_enabled=not body.disable_authentication,
        registered_model_id=body.registered_model_id,
        default_cpu_millicores=body.default_resources.cpu_millicores,
        default_memory_mb=body.default_resources.memory_mb,
        default_nvidia_gpus=body.default_resources.nvidia_gpus,
        default_num_replicas=policy.num_replicas,
        default_replication_policy=policy.model_dump() if policy.autoscaling else None,
        creator_id=access.user.id,
    )
    session.add(model)
    session.commit()
    return schemas.ModelOut.model_validate(model)


@router.get("", response_model=schemas.ModelList)
def list_models(access: Viewer, session: SessionDep, params: ListParamsDep) -> schemas.ModelList:
    where = [db.Model.project_id == access.project.id]
    rows, token = paginate(session, db.Model, where, params, FIELDS)
    return schemas.ModelList(models=rows, next_page_token=token)


@all_models_router.get("", response_model=schemas.ModelList)
def list_all_models(
    user: CurrentUser, session: SessionDep, params: ListParamsDep
) -> schemas.ModelList:
    """Models of every project the caller can see (all of them for a workspace admin)."""
    visible = visible_projects(user)
    where = [] if visible is None else [db.Model.project_id.in_(visible)]
    fields = {**FIELDS, "project_id": db.Model.project_id}
    rows, token = paginate(session, db.Model, where, params, fields)
    return schemas.ModelList(models=rows, next_page_token=token)


@router.get("/{model_id}", response_model=schemas.ModelOut)
def get_model(model_id: str, access: Viewer, session: SessionDep) -> schemas.ModelOut:
    return schemas.ModelOut.model_validate(model_in_project(session, access.project.id, model_id))


@router.delete("/{model_id}")
def delete_model(
    model_id: str, access: ProjectAdmin, session: SessionDep, index: IndexDep
) -> dict[str, str]:
    model = model_in_project(session, access.project.id, model_id)
    running = session.scalar(
        select(db.Deployment.id).where(
            db.Deployment.model_id == model.id,
            db.Deployment.status.in_(DEPLOYMENTS_HOLDING_REPLICAS),
        )
    )
    if running:
        raise HTTPException(409, f"model '{model.name}' has running deployments; stop them first")
    session.delete(model)
    session.commit()
    index.forget(model.access_key)
    return {}  # the spec's empty Delete*Response
