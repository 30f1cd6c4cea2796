"""Writes more than one part of the server makes: API keys and the first admin.

Why here, on a plain ``Session``: routes (a user's keys), start-up (the admin) and background
services (the keys of replicas and job runs) all issue keys; none of them should import another's
module to do it, and the caller decides when to commit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from workspace.core.security import hash_key, new_api_key, new_id
from workspace.server.storage import tables as db

ADMIN = "admin"


def issue_key(
    session: Session,
    user: db.User,
    *,
    name: str = "",
    deployment_id: str | None = None,
    expires_at: datetime | None = None,
) -> tuple[str, str]:
    """A new API key of ``user`` (stored only as its hash): ``(key id, key)``."""
    key, key_id = new_api_key(), new_id()
    session.add(
        db.ApiKey(
            id=key_id,
            user_id=user.id,
            key_hash=hash_key(key),
            name=name,
            deployment_id=deployment_id,
            expires_at=expires_at,
        )
    )
    return key_id, key


def revoke_key(session: Session, key_id: str) -> None:
    session.execute(delete(db.ApiKey).where(db.ApiKey.id == key_id))


def revoke_keys_named(session: Session, name: str) -> None:
    """Every key minted under ``name`` (a build's, whose key ends with it)."""
    session.execute(delete(db.ApiKey).where(db.ApiKey.name == name))


def revoke_deployment_keys(session: Session, deployment_id: str) -> None:
    """Every key minted for a deployment's replicas."""
    session.execute(delete(db.ApiKey).where(db.ApiKey.deployment_id == deployment_id))


def user_with_key(session: Session, key: str) -> db.User | None:
    """The owner of ``key``, unless it is unknown or past its expiry. Looked up by hash: the
    database compares hashes, so the presented key itself is never compared byte by byte."""
    row = session.scalar(select(db.ApiKey).where(db.ApiKey.key_hash == hash_key(key)))
    if row is None or (row.expires_at is not None and row.expires_at <= db.utcnow()):
        return None
    return session.get(db.User, row.user_id)


def bootstrap_admin(session: Session) -> str | None:
    """On a workspace's first start, create the admin user; its key, or None when users exist."""
    if session.scalar(select(db.User.id).limit(1)):
        return None
    admin = db.User(id=ADMIN, username=ADMIN, is_admin=True)
    session.add(admin)
    session.flush()
    _, key = issue_key(session, admin, name="first start")
    session.commit()
    return key
