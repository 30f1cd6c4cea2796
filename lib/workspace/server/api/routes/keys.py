"""A user's API v2 keys, as CML's spec has them under ``/users/{username}/v2_keys``: list, create,
revoke one, revoke all. Why here: a user must be able to see which keys act as them (their own,
and those minted for their job runs and deployments) and end any of them; a workspace admin may
do so for anyone."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from sqlalchemy import delete, select

from workspace import schemas
from workspace.server.api.deps import CurrentUser, SessionDep
from workspace.server.storage import crud
from workspace.server.storage import tables as db

router = APIRouter(prefix="/users/{username}/v2_keys", tags=["users"])


def _key_owner(session: SessionDep, caller: db.User, username: str) -> db.User:
    """The user whose keys the path names, if the caller may manage them."""
    if caller.username != username and not caller.is_admin:
        raise HTTPException(
            403, f"user '{caller.username}' may manage only their own keys, not '{username}''s"
        )
    user = session.scalar(select(db.User).where(db.User.username == username))
    if user is None:
        raise HTTPException(404, f"user '{username}' not found")
    return user


def _details(row: db.ApiKey) -> schemas.V2KeyDetails:
    return schemas.V2KeyDetails(
        key_id=row.id, created_at=row.created_at, expiry_date=row.expires_at, comments=row.name
    )


@router.get("", response_model=schemas.V2KeyList)
def list_v2_keys(username: str, caller: CurrentUser, session: SessionDep) -> schemas.V2KeyList:
    """Every key that acts as the user, oldest first (never the keys themselves)."""
    user = _key_owner(session, caller, username)
    rows = session.scalars(
        select(db.ApiKey).where(db.ApiKey.user_id == user.id).order_by(db.ApiKey.created_at)
    )
    return schemas.V2KeyList(keys=[_details(row) for row in rows])


@router.post("", response_model=schemas.V2KeyCreated)
def create_v2_key(
    username: str, body: schemas.V2KeyCreate, caller: CurrentUser, session: SessionDep
) -> schemas.V2KeyCreated:
    """A new key, shown once; it stops working at ``expiry_date`` when one is given."""
    user = _key_owner(session, caller, username)
    if body.username and body.username != username:
        raise HTTPException(400, f"username '{body.username}' differs from the path's")
    expires = body.expiry_date.replace(tzinfo=None) if body.expiry_date else None
    if expires is not None and expires <= db.utcnow():
        raise HTTPException(400, "expiry_date is in the past")
    key_id, key = crud.issue_key(session, user, name=body.comments, expires_at=expires)
    session.commit()
    row = session.get(db.ApiKey, key_id)
    return schemas.V2KeyCreated(**_details(row).model_dump(), api_key=key)


@router.delete("/{key_id}")
def delete_v2_key(
    username: str, key_id: str, caller: CurrentUser, session: SessionDep
) -> dict[str, str]:
    user = _key_owner(session, caller, username)
    row = session.get(db.ApiKey, key_id)
    if row is None or row.user_id != user.id:
        raise HTTPException(404, f"key '{key_id}' not found for user '{username}'")
    crud.revoke_key(session, key_id)
    session.commit()
    return {}  # the spec's empty DeleteV2KeyResponse


@router.delete("")
def delete_v2_keys(username: str, caller: CurrentUser, session: SessionDep) -> dict[str, str]:
    """Every key of the user, the one this call came with included."""
    user = _key_owner(session, caller, username)
    session.execute(delete(db.ApiKey).where(db.ApiKey.user_id == user.id))
    session.commit()
    return {}  # the spec's empty DeleteV2KeysResponse
