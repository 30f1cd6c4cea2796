"""Project collaborators and their permission: viewer, operator or admin."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from sqlalchemy import select

from workspace import schemas
from workspace.server.api.deps import ProjectAdmin, SessionDep, Viewer
from workspace.server.storage import tables as db

router = APIRouter(prefix="/projects/{project_id}/collaborators", tags=["collaborators"])


def _user_named(session: SessionDep, username: str) -> db.User:
    user = session.scalar(select(db.User).where(db.User.username == username))
    if user is None:
        raise HTTPException(404, f"user '{username}' not found")
    return user


@router.get("", response_model=schemas.CollaboratorList)
def list_project_collaborators(access: Viewer, session: SessionDep) -> schemas.CollaboratorList:
    owner = session.get(db.User, access.project.creator_id)
    rows = session.execute(
        select(db.User.username, db.Collaborator.permission)
        .join(db.Collaborator, db.Collaborator.user_id == db.User.id)
        .where(db.Collaborator.project_id == access.project.id)
        .order_by(db.User.username)
    ).all()
    collaborators = [schemas.CollaboratorOut(username=owner.username, permission="admin")]
    collaborators += [
        schemas.CollaboratorOut(username=name, permission=perm)
        for name, perm in rows
        if name != owner.username
    ]
    return schemas.CollaboratorList(collaborators=collaborators)


@router.put("/{username}", response_model=schemas.CollaboratorOut)
def add_project_collaborator(
    username: str, body: schemas.CollaboratorIn, access: ProjectAdmin, session: SessionDep
) -> schemas.CollaboratorOut:
    user = _user_named(session, username)
    if user.id == access.project.creator_id:
        raise HTTPException(409, f"user '{username}' owns project '{access.project.name}'")
    row = session.get(db.Collaborator, (access.project.id, user.id))
    if row is None:
        session.add(
            db.Collaborator(
                project_id=access.project.id, user_id=user.id, permission=body.permission
            )
        )
    else:  # a promotion or a demotion: the new permission replaces the old one
        row.permission = body.permission
    session.commit()
    return schemas.CollaboratorOut(username=username, permission=body.permission)


@router.delete("/{username}")
def delete_project_collaborator(
    username: str, access: ProjectAdmin, session: SessionDep
) -> dict[str, str]:
    user = _user_named(session, username)
    row = session.get(db.Collaborator, (access.project.id, user.id))
    if row is None:
        raise HTTPException(404, f"user '{username}' is not a collaborator of this project")
    session.delete(row)
    session.commit()
    return {}  # the spec's empty Delete*Response
