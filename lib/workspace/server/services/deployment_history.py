"""A deployment's history: what happened to it, when, and why, as (kind, time, message, details).

Why a module of its own: alerts, scaling decisions and lifecycle steps all add to the same
history, and users read it through one call (``GET .../deployments/{id}/events``). Writers call
``record`` inside their own transaction, so an event is stored with what it describes or not at
all.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workspace.server.storage import tables as db


def record(
    session: Session,
    deployment_id: str,
    kind: str,
    message: str,
    details: dict[str, Any] | None = None,
    *,
    ts_ms: int | None = None,
) -> db.DeploymentEvent:
    """Add one event to ``deployment_id``'s history (committed with the caller's session)."""
    event = db.DeploymentEvent(
        deployment_id=deployment_id,
        ts_ms=int(time.time() * 1000) if ts_ms is None else ts_ms,
        kind=kind,
        message=message,
        details=details or {},
    )
    session.add(event)
    return event


def events(
    session: Session,
    deployment_id: str,
    *,
    kind: str = "",
    start_timestamp_ms: int = 0,
    end_timestamp_ms: int | None = None,
    limit: int = 1000,
) -> list[db.DeploymentEvent]:
    """The deployment's events in time order, optionally of one ``kind`` and within a span."""
    e = db.DeploymentEvent
    stmt = select(e).where(e.deployment_id == deployment_id, e.ts_ms >= start_timestamp_ms)
    if kind:
        stmt = stmt.where(e.kind == kind)
    if end_timestamp_ms is not None:
        stmt = stmt.where(e.ts_ms <= end_timestamp_ms)
    return list(session.scalars(stmt.order_by(e.ts_ms, e.id).limit(limit)))
