"""Runtimes the workspace offers: what ``runtime_identifier`` of a build or job may name."""

from __future__ import annotations

from dataclasses import fields

from fastapi import APIRouter

from workspace import schemas
from workspace.server.api.deps import RuntimesDep
from workspace.server.api.listing import CatalogListParamsDep, page_records
from workspace.server.services.runtimes import Runtime

router = APIRouter(prefix="/runtimes", tags=["runtimes"])

# The search and sort keys CML's spec lists: every field of a runtime but its status.
KEYS = tuple(f.name for f in fields(Runtime) if f.name != "status")


@router.get("", response_model=schemas.RuntimeList)
def list_runtimes(runtimes: RuntimesDep, params: CatalogListParamsDep) -> schemas.RuntimeList:
    """Search keys: image_identifier, editor, kernel, edition, description, full_version (a
    case-insensitive substring each); sort by the same keys, e.g. ``-kernel,+editor``."""
    page, token = page_records(runtimes.runtimes, params, KEYS)
    return schemas.RuntimeList(
        runtimes=[schemas.RuntimeOut.model_validate(r) for r in page], next_page_token=token
    )
