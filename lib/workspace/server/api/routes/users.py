"""Users and their API keys: workspace admins create users; a key is shown once, stored hashed."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from sqlalchemy import select

from workspace.core.security import hash_key, new_api_key, new_id
from workspace.server import db, schemas
from workspace.server.api.deps import CurrentUser, SessionDep, SiteAdmin

router = APIRouter(prefix="/users", tags=["users"])


def issue_key(session: SessionDep, user: db.User, *, name: str = "", deployment_id=None) -> str:
    key = new_api_key()
    session.add(
        db.ApiKey(
            id=new_id(),
            user_id=user.id,
            key_hash=hash_key(key),
            name=name,
            deployment_id=deployment_id,
        )
    )
    return key


def _out(user: db.User) -> schemas.UserOut:
    return schemas.UserOut(
        id=user.id, username=user.username, is_admin=user.is_admin, created_at=user.created_at
    )


@router.post("", response_model=schemas.UserWithKey)
def create_user(
    body: schemas.UserCreate, _admin: SiteAdmin, session: SessionDep
) -> schemas.UserWithKey:
    if session.scalar(select(db.User).where(db.User.username == body.username)):
        raise HTTPException(409, f"user '{body.username}' already exists")
    user = db.User(id=new_id(), username=body.username, is_admin=body.is_admin)
    session.add(user)
    session.flush()
    key = issue_key(session, user, name="created with the user")
    session.commit()
    return schemas.UserWithKey(**_out(user).model_dump(), api_key=key)


@router.get("/me", response_model=schemas.UserOut)
def get_current_user(user: CurrentUser) -> schemas.UserOut:
    return _out(user)


@router.post("/me/keys", response_model=schemas.UserWithKey)
def create_api_key(user: CurrentUser, session: SessionDep) -> schemas.UserWithKey:
    """A further key for the caller (e.g. one per script), shown once."""
    key = issue_key(session, user, name="created by the user")
    session.commit()
    return schemas.UserWithKey(**_out(user).model_dump(), api_key=key)
