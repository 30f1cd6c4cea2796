"""Runtimes: what user code runs on (an editor, a kernel, an edition), as CML's ``Runtime``."""

from __future__ import annotations

from workspace.schemas.common import Record
from workspace.schemas.states import RuntimeStatus


class RuntimeOut(Record):
    image_identifier: str
    editor: str
    kernel: str
    edition: str
    description: str
    full_version: str
    status: RuntimeStatus


class RuntimeList(Record):
    runtimes: list[RuntimeOut]
    next_page_token: str = ""
