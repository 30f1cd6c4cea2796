"""List calls as CML API v2 makes them: ``page_size``, ``page_token``, ``sort``, ``search_filter``.

Why a shared helper: every resource list must page, sort and filter the same way, and refuse a bad
filter with a message naming it rather than returning everything.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Query
from sqlalchemy import ColumnElement, Select, func, literal, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from workspace.server.storage import tables as db

Field = InstrumentedAttribute | ColumnElement


@dataclass
class ListParams:
    page_size: int
    page_token: str
    sort: str
    search_filter: str


def list_params(
    page_size: Annotated[int, Query(ge=1, le=1000)] = 100,
    page_token: str = "",
    sort: str = "-created_at",
    search_filter: str = "",
) -> ListParams:
    return ListParams(page_size, page_token, sort, search_filter)


ListParamsDep = Annotated[ListParams, Depends(list_params)]


def user_fields(creator_id: InstrumentedAttribute, *roles: str) -> dict[str, Field]:
    """``creator.username``, ``creator.name``, ``creator.email`` (and the same for each of
    ``roles``, e.g. ``owner``): the search and sort keys CML's spec gives about the people behind
    a resource. The workspace keeps usernames only: a name is the username, an email empty."""
    username = select(db.User.username).where(db.User.id == creator_id).scalar_subquery()
    fields: dict[str, Field] = {}
    for role in ("creator", *roles):
        fields |= {
            f"{role}.username": username,
            f"{role}.name": username,
            f"{role}.email": literal(""),
        }
    return fields


def _filters(raw: str, fields: dict[str, Field]) -> list[Any]:
    if not raw:
        return []
    try:
        wanted = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise HTTPException(400, f"search_filter is not valid JSON: {exc.msg}") from None
    if not isinstance(wanted, dict):
        raise HTTPException(400, 'search_filter must be a JSON object, e.g. {"name": "PRD"}')
    clauses = []
    for key, value in wanted.items():
        column = fields.get(key)
        if column is None:
            raise HTTPException(
                400, f"search_filter key '{key}' is not supported; use one of {sorted(fields)}"
            )
        if isinstance(value, str):
            # Substring match, case-insensitive, as CML's search filter behaves.
            clauses.append(func.lower(column).contains(value.lower(), autoescape=True))
        else:
            clauses.append(column == value)
    return clauses


def _order(sort: str, entity: type, fields: dict[str, Field]) -> list[Any]:
    """CML's sort: comma-separated keys, each ascending unless prefixed with '-'."""
    sortable = {**fields, "created_at": entity.created_at, "updated_at": entity.updated_at}
    order = []
    for part in (p.strip() for p in (sort or "-created_at").split(",")):
        column = sortable.get(part.lstrip("-+ "))
        if column is None:
            raise HTTPException(
                400, f"sort '{part}' is not supported; use one of {sorted(sortable)}"
            )
        order.append(column.desc() if part.startswith("-") else column.asc())
    return order


def paginate(
    session: Session,
    entity: type,
    where: list[Any],
    params: ListParams,
    fields: dict[str, Field],
) -> tuple[list[Any], str]:
    """Rows of ``entity`` matching ``where`` and the search filter, one page, and the next token."""
    stmt: Select = select(entity).where(*where, *_filters(params.search_filter, fields))
    stmt = stmt.order_by(*_order(params.sort, entity, fields), entity.id)
    if params.page_token and not params.page_token.isdigit():
        raise HTTPException(400, f"page_token '{params.page_token}' is not a token this API issued")
    offset = int(params.page_token or 0)
    rows = list(session.scalars(stmt.offset(offset).limit(params.page_size + 1)))
    more = len(rows) > params.page_size
    return rows[: params.page_size], str(offset + params.page_size) if more else ""
