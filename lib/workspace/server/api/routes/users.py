"""Users and their API keys: workspace admins create users; a key is shown once, stored hashed."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from sqlalchemy import select

from workspace import schemas
from workspace.core.security import new_id
from workspace.server.api.deps import CurrentUser, SessionDep, SiteAdmin
from workspace.server.storage import crud
from workspace.server.storage import tables as db

router = APIRouter(prefix="/users", tags=["users"])


@router.post("", response_model=schemas.UserWithKey)
def create_user(
    body: schemas.UserCreate, _admin: SiteAdmin, session: SessionDep
) -> schemas.UserWithKey:
    if session.scalar(select(db.User).where(db.User.username == body.username)):
        raise HTTPException(409, f"user '{body.username}' already exists")
    user = db.User(id=new_id(), username=body.username, is_admin=body.is_admin)
    session.add(user)
    session.flush()
    _, key = crud.issue_key(session, user, name="created with the user")
    session.commit()
    return _with_key(user, key)


@router.get("/me", response_model=schemas.UserOut)
def get_current_user(user: CurrentUser) -> schemas.UserOut:
    return schemas.UserOut.model_validate(user)


@router.post("/me/keys", response_model=schemas.UserWithKey)
def create_api_key(user: CurrentUser, session: SessionDep) -> schemas.UserWithKey:
    """A further key for the caller (e.g. one per script), shown once."""
    _, key = crud.issue_key(session, user, name="created by the user")
    session.commit()
    return _with_key(user, key)


def _with_key(user: db.User, key: str) -> schemas.UserWithKey:
    return schemas.UserWithKey(**schemas.UserOut.model_validate(user).model_dump(), api_key=key)
