"""List calls as CML API v2 makes them: ``page_size``, ``page_token``, ``sort``, ``search_filter``.

Why a shared helper: every resource list must page, sort and filter the same way, and refuse a bad
filter with a message naming it rather than returning everything. Tables page in SQL
(``paginate``); a catalog held in memory (runtimes) pages with ``page_records``, same token.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, HTTPException, Query
from sqlalchemy import ColumnElement, Select, func, literal, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from workspace.schemas.common import INT64_MAX
from workspace.server.storage import tables as db

TimestampParam = Annotated[int, Query(ge=0, le=INT64_MAX)]
"""Milliseconds since the epoch in a query: what the database's 64-bit column can hold."""

Field = InstrumentedAttribute | ColumnElement

DEFAULT_SORT = "created_at"
"""Oldest first, as CML lists: CML code takes ``model_builds[-1]`` as the most recent build."""


@dataclass
class ListParams:
    page_size: int
    page_token: str
    sort: str
    search_filter: str


def list_params(
    page_size: Annotated[int, Query(ge=1, le=1000)] = 100,
    page_token: str = "",
    sort: str = DEFAULT_SORT,
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


def catalog_list_params(
    page_size: Annotated[int, Query(ge=1, le=1000)] = 100,
    page_token: str = "",
    sort: str = "",
    search_filter: str = "",
) -> ListParams:
    """List parameters of a catalog, whose records have no creation time: unsorted by default,
    the catalog's own order."""
    return ListParams(page_size, page_token, sort, search_filter)


CatalogListParamsDep = Annotated[ListParams, Depends(catalog_list_params)]

Item = TypeVar("Item")


def _plain_value(value: Any) -> bool:
    """A value a column can be compared with: no lists or objects, numbers a database holds."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return True
    if isinstance(value, int):
        return -(2**63) <= value < 2**63
    return isinstance(value, float) and math.isfinite(value)


def _search_terms(raw: str, allowed: Collection[str]) -> dict[str, Any]:
    """The search filter's keys and values, refused unless a JSON object of ``allowed`` keys."""
    if not raw:
        return {}
    try:
        wanted = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise HTTPException(400, f"search_filter is not valid JSON: {exc.msg}") from None
    if not isinstance(wanted, dict):
        raise HTTPException(400, 'search_filter must be a JSON object, e.g. {"name": "PRD"}')
    for key, value in wanted.items():
        if key not in allowed:
            raise HTTPException(
                400, f"search_filter key '{key}' is not supported; use one of {sorted(allowed)}"
            )
        if not _plain_value(value):
            raise HTTPException(
                400, f"search_filter value of '{key}' must be a string, number or boolean"
            )
    return wanted


MAX_OFFSET = 2**31 - 1
"""Tokens are row offsets; one past what any table here holds is not a token we issued."""


def page_offset(page_token: str) -> int:
    """The offset a page token stands for; 400 for anything this API never issues (negative,
    not ASCII digits, absurdly large)."""
    if not page_token:
        return 0
    if not re.fullmatch(r"[0-9]{1,10}", page_token) or int(page_token) > MAX_OFFSET:
        shown = page_token if len(page_token) <= 40 else page_token[:40] + "..."
        raise HTTPException(400, f"page_token '{shown}' is not a token this API issued")
    return int(page_token)


def _filters(raw: str, fields: dict[str, Field]) -> list[Any]:
    clauses = []
    for key, value in _search_terms(raw, fields).items():
        column = fields[key]
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
    for part in (p.strip() for p in (sort or DEFAULT_SORT).split(",")):
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
    offset = page_offset(params.page_token)
    rows = list(session.scalars(stmt.offset(offset).limit(params.page_size + 1)))
    more = len(rows) > params.page_size
    return rows[: params.page_size], str(offset + params.page_size) if more else ""


def _matches(value: Any, wanted: Any) -> bool:
    if isinstance(wanted, str):
        # The same case-insensitive substring match as the SQL lists.
        return wanted.lower() in str(value).lower()
    return value == wanted


def page_records(
    records: Sequence[Item], params: ListParams, fields: Collection[str]
) -> tuple[list[Item], str]:
    """Records held in memory, filtered and sorted on their ``fields`` attributes as ``paginate``
    does rows, one page, and the next token; ``sort`` may list several keys (``-kernel,+editor``).
    """
    terms = _search_terms(params.search_filter, fields)
    chosen = [r for r in records if all(_matches(getattr(r, k), v) for k, v in terms.items())]
    keys = [key.strip() for key in params.sort.split(",") if key.strip()]
    for key in reversed(keys):  # stable sorts, last key first, give the first key precedence
        name = key.lstrip("-+")
        if name not in fields:
            raise HTTPException(
                400, f"sort '{params.sort}' is not supported; use one of {sorted(fields)}"
            )
        chosen.sort(key=lambda r, n=name: str(getattr(r, n)).lower(), reverse=key[0] == "-")
    offset = page_offset(params.page_token)
    page = chosen[offset : offset + params.page_size]
    more = offset + params.page_size < len(chosen)
    return page, str(offset + params.page_size) if more else ""
