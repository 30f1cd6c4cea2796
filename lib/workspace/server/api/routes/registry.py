"""CML's model registry: ``create_registered_model`` registers a run's model as a new version
(what Mlflow 02 does before building from it); ``get_registered_model`` reads it back.

Who may: registering from a project needs operator there (the run's model becomes deployable);
a registered model is read by whoever registered it, a workspace admin, or anyone when PUBLIC.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException

from workspace.core.config import WorkspaceSettings
from workspace.schemas import registry as rs
from workspace.schemas.common import UserRef
from workspace.server.api.deps import (
    ROLE_RANK,
    CurrentUser,
    RegistryDep,
    SessionDep,
    SettingsDep,
    role_in,
)
from workspace.server.services.registry import RegisteredModel
from workspace.server.storage import tables as db

router = APIRouter(prefix="/registry/models", tags=["model registry"])


def _when(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def _out(
    model: RegisteredModel, user: db.User, settings: WorkspaceSettings
) -> rs.RegisteredModelOut:
    owner = UserRef(username=model.owner or user.username)
    versions = [
        rs.RegisteredModelVersionOut(
            model_id=model.name,
            model_version_id=v.version_id,
            version_name=str(v.number),
            number=v.number,
            notes=v.notes,
            user=UserRef(username=v.owner or owner.username),
            created_at=_when(v.created_ms),
            updated_at=_when(v.updated_ms),
            status=v.status,
            model_version_metadata=rs.ModelVersionMetadata(
                workspace_url=settings.server_url,
                project_id=v.project_id,
                owner=UserRef(username=v.owner or owner.username),
                mlflow_metadata=rs.MlflowMetadata(experiment_id=v.experiment_id, run_id=v.run_id),
            ),
            tags=[rs.Tag(key=k, value=t) for k, t in sorted(v.tags.items())],
        )
        for v in model.versions
    ]
    mine = user.is_admin or model.owner in ("", user.username)
    return rs.RegisteredModelOut(
        model_id=model.name,
        name=model.name,
        description=model.description,
        owner=owner,
        permission="admin" if mine else "read",
        visibility=model.visibility,
        created_at=_when(model.created_ms),
        updated_at=_when(model.updated_ms),
        count=len(versions),
        model_versions=versions,
    )


@router.post("", response_model=rs.RegisteredModelOut)
def create_registered_model(
    body: rs.CreateRegisteredModel,
    user: CurrentUser,
    session: SessionDep,
    registry: RegistryDep,
    settings: SettingsDep,
) -> rs.RegisteredModelOut:
    if body.project_id:
        project = session.get(db.Project, body.project_id)
        if project is None:
            raise HTTPException(404, f"project '{body.project_id}' not found")
        role = role_in(session, user, project)
        if role is None or ROLE_RANK[role] < ROLE_RANK["operator"]:
            raise HTTPException(
                403, f"user '{user.username}' may not register models of '{project.name}'"
            )
    model = registry.register(
        name=body.model_name,
        run_id=body.run_id,
        model_path=body.model_path,
        experiment_id=body.experiment_id,
        project_id=body.project_id,
        owner=user.username,
        description=body.description,
        notes=body.notes,
        visibility=body.visibility,
        tags={t.key: t.value for t in body.tags},
    )
    return _out(model, user, settings)


@router.get("/{model_id}", response_model=rs.RegisteredModelOut)
def get_registered_model(
    model_id: str, user: CurrentUser, registry: RegistryDep, settings: SettingsDep
) -> rs.RegisteredModelOut:
    model = registry.get(model_id)
    if not (user.is_admin or model.visibility == "PUBLIC" or model.owner in ("", user.username)):
        raise HTTPException(404, f"registered model '{model_id}' not found")
    return _out(model, user, settings)
