"""A deployment's history: what happened to it, when, and the figures behind it.

Why one generic facility: autoscaling decisions, drift alerts and whatever comes next are all
"something happened to this deployment at this time, for this reason"; one table and one read
serve the API (``GET .../deployments/{id}/events``), the console and the monitoring scripts.

Example::

    record_event(sessions, "dep-1", "autoscaling", "scaled up 1 -> 3: p95 420 ms > 250 ms",
                 {"current": 1, "desired": 3})
    with sessions() as session:
        events = list_events(session, "dep-1", kind="autoscaling")
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from workspace.server.storage import tables as db

MAX_EVENTS_READ = 1000


def record_event(
    sessions: sessionmaker,
    deployment_id: str,
    kind: str,
    message: str,
    details: dict[str, Any] | None = None,
    *,
    ts_ms: int | None = None,
) -> None:
    """Append one event (its own transaction: a caller's failure later keeps it)."""
    with sessions() as session:
        add_event(session, deployment_id, kind, message, details, ts_ms=ts_ms)
        session.commit()


def add_event(
    session: Session,
    deployment_id: str,
    kind: str,
    message: str,
    details: dict[str, Any] | None = None,
    *,
    ts_ms: int | None = None,
) -> None:
    """Add one event to ``session``'s transaction (committed with the change it records)."""
    session.add(
        db.DeploymentEvent(
            deployment_id=deployment_id,
            kind=kind,
            ts_ms=int(time.time() * 1000) if ts_ms is None else ts_ms,
            message=message,
            details=details or {},
        )
    )


def list_events(
    session: Session,
    deployment_id: str,
    *,
    kind: str | None = None,
    start_timestamp_ms: int = 0,
    end_timestamp_ms: int | None = None,
    limit: int = MAX_EVENTS_READ,
) -> Sequence[db.DeploymentEvent]:
    """The deployment's events, oldest first, of ``kind`` when given, within the time range;
    the newest ``limit`` of them."""
    stmt = select(db.DeploymentEvent).where(
        db.DeploymentEvent.deployment_id == deployment_id,
        db.DeploymentEvent.ts_ms >= start_timestamp_ms,
    )
    if kind:
        stmt = stmt.where(db.DeploymentEvent.kind == kind)
    if end_timestamp_ms is not None:
        stmt = stmt.where(db.DeploymentEvent.ts_ms <= end_timestamp_ms)
    newest = stmt.order_by(db.DeploymentEvent.ts_ms.desc(), db.DeploymentEvent.id.desc())
    return list(reversed(session.scalars(newest.limit(limit)).all()))
