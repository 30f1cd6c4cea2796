"""The console's reads: each page a bounded number of queries, whatever the workspace holds.

Why here: a page that loads one row per listed item (N+1) is fast with ten models and slow with a
hundred; these functions read a page of rows and what the page shows about them in a fixed number
of queries (``IN`` over the page's ids, window functions for "the newest of each").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workspace.server.api.deps import visible_projects
from workspace.server.storage import tables as db

PAGE_SIZE = 50


@dataclass(frozen=True)
class Page:
    """One page of rows and the offsets of the pages around it (None at an end)."""

    rows: list
    offset: int
    previous: int | None
    next: int | None


def paged(session: Session, stmt, offset: int, size: int = PAGE_SIZE) -> Page:
    """``stmt`` (ordered) from ``offset``; one row more than a page says whether more follow."""
    offset = max(offset, 0)
    rows = list(session.scalars(stmt.offset(offset).limit(size + 1)).unique())
    more = len(rows) > size
    return Page(
        rows[:size],
        offset,
        max(offset - size, 0) if offset else None,
        offset + size if more else None,
    )


def visible(user: db.User, column):
    """A ``where`` clause limiting ``column`` (a project id) to the projects ``user`` may see."""
    ids = visible_projects(user)
    return [] if ids is None else [column.in_(ids)]


def roles_in(session: Session, user: db.User, projects: Sequence[db.Project]) -> dict[str, str]:
    """The caller's role in each listed project, in one query (owner and site admins: admin)."""
    roles = {p.id: "admin" for p in projects if user.is_admin or p.creator_id == user.id}
    others = [p.id for p in projects if p.id not in roles]
    if others:
        rows = session.execute(
            select(db.Collaborator.project_id, db.Collaborator.permission).where(
                db.Collaborator.user_id == user.id, db.Collaborator.project_id.in_(others)
            )
        )
        roles |= {project_id: role for project_id, role in rows}
    return roles


def counts(session: Session, column, ids: Sequence[str]) -> dict[str, int]:
    """How many rows hold each of ``ids`` in ``column`` (e.g. models per project), one query."""
    if not ids:
        return {}
    rows = session.execute(select(column, func.count()).where(column.in_(ids)).group_by(column))
    return {key: count for key, count in rows}


def newest_deployments(session: Session, model_ids: Sequence[str]) -> dict[str, db.Deployment]:
    """The newest deployment of each model (what its status is), one query."""
    if not model_ids:
        return {}
    rank = (
        func.row_number()
        .over(partition_by=db.Deployment.model_id, order_by=db.Deployment.created_at.desc())
        .label("rank")
    )
    ranked = select(db.Deployment.id, rank).where(db.Deployment.model_id.in_(model_ids)).subquery()
    rows = session.scalars(
        select(db.Deployment)
        .join(ranked, ranked.c.id == db.Deployment.id)
        .where(ranked.c.rank == 1)
    )
    return {d.model_id: d for d in rows}


def collaborators(session: Session, project: db.Project) -> list[tuple[str, str]]:
    """``(username, role)`` of the owner and every collaborator, owner first."""
    rows = session.execute(
        select(db.User.username, db.Collaborator.permission)
        .join(db.Collaborator, db.Collaborator.user_id == db.User.id)
        .where(db.Collaborator.project_id == project.id)
        .order_by(db.User.username)
    ).all()
    owner = project.creator.username
    return [(owner, "owner")] + [(name, role) for name, role in rows if name != owner]
