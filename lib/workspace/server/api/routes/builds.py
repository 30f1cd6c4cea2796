"""Model builds: immutable snapshots, built in the background.

States: pending → building → built or failed.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from workspace import schemas
from workspace.core.security import crn, new_id
from workspace.processes.groups import log_tail
from workspace.schemas.states import ProjectStatus
from workspace.server.api.deps import (
    BuilderDep,
    Operator,
    RuntimesDep,
    SessionDep,
    Viewer,
    owned_or_404,
)
from workspace.server.api.listing import ListParamsDep, paginate, user_fields
from workspace.server.api.routes.models import model_in_project
from workspace.server.storage import tables as db

router = APIRouter(prefix="/projects/{project_id}/models/{model_id}/builds", tags=["model builds"])

LOG_TAIL_BYTES = 20_000


def build_in_model(session: SessionDep, project_id: str, model_id: str, build_id: str) -> db.Build:
    model_in_project(session, project_id, model_id)
    return owned_or_404(session, db.Build, build_id, ("model_id", model_id), "build")


@router.post("", response_model=schemas.BuildOut)
def create_model_build(
    model_id: str,
    body: schemas.BuildCreate,
    access: Operator,
    session: SessionDep,
    builder: BuilderDep,
    runtimes: RuntimesDep,
) -> schemas.BuildOut:
    model = model_in_project(session, access.project.id, model_id)
    kernel = runtimes.kernel_of(body.runtime_identifier, body.kernel)
    if access.project.status != ProjectStatus.SUCCESS:
        raise HTTPException(409, f"project '{access.project.name}' is {access.project.status}")
    reference = body.registered_model_version_id
    if reference is None and not (body.file_path and body.function_name):
        raise HTTPException(
            400,
            "a build needs file_path and function_name, or registered_model_version_id",
        )
    if reference is not None and (body.file_path or body.function_name):
        raise HTTPException(
            400, "give either file_path + function_name or registered_model_version_id, not both"
        )
    build_id = new_id()
    build = db.Build(
        id=build_id,
        model_id=model.id,
        project_id=access.project.id,
        crn=crn("build", build_id),
        file_path=body.file_path,
        function_name=body.function_name,
        kernel=kernel,
        runtime_identifier=body.runtime_identifier,
        registered_model_version_id=reference,
        comment=body.comment,
        creator_id=access.user.id,
    )
    session.add(build)
    session.commit()
    builder.submit(build_id)
    return schemas.BuildOut.model_validate(build)


@router.get("", response_model=schemas.BuildList)
def list_model_builds(
    model_id: str, access: Viewer, session: SessionDep, params: ListParamsDep
) -> schemas.BuildList:
    model_in_project(session, access.project.id, model_id)
    fields = {
        "status": db.Build.status,
        "comment": db.Build.comment,
        "crn": db.Build.crn,
        "built_at": db.Build.built_at,
        **user_fields(db.Build.creator_id),
    }
    rows, token = paginate(session, db.Build, [db.Build.model_id == model_id], params, fields)
    return schemas.BuildList(model_builds=rows, next_page_token=token)


@router.get("/{build_id}", response_model=schemas.BuildOut)
def get_model_build(
    model_id: str, build_id: str, access: Viewer, session: SessionDep
) -> schemas.BuildOut:
    build = build_in_model(session, access.project.id, model_id, build_id)
    return schemas.BuildOut.model_validate(build)


@router.get("/{build_id}/logs", response_model=schemas.BuildLog)
def get_model_build_logs(
    model_id: str, build_id: str, access: Viewer, session: SessionDep, builder: BuilderDep
) -> schemas.BuildLog:
    """The import check's output (the tail), to see why a build failed."""
    build_in_model(session, access.project.id, model_id, build_id)
    return schemas.BuildLog(log=log_tail(builder.log_path(build_id), max_bytes=LOG_TAIL_BYTES))
