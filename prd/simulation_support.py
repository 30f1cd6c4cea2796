"""What the PRD operations scripts (05, 06, 07) share: resolve endpoints, build requests, paths.

Why beside the scripts: they wire the workspace client and the lakehouse payloads together; the
logic itself lives in ``workspace.load``, ``workspace.lifecycle`` and ``logistics.payloads``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

PAYLOAD_BY_MODEL = {"TimeSeriesQuery": "pattern", "MultiDimMotif": "window"}


def fail(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(1)


def endpoint_of(project_name: str, model_name: str) -> tuple[Any, Any]:
    """The client and the serving deployment of ``model_name``; one line when it does not exist."""
    from workspace.client import WorkspaceClient, WorkspaceError
    from workspace.lifecycle import find_project, serving

    try:
        client = WorkspaceClient()
        project = find_project(client, project_name)
        return client, serving(client, project.id, model_name)
    except WorkspaceError as exc:
        fail(str(exc))
        raise


def requests_for(kind: str | None, model_name: str, n: int) -> list[dict]:
    """Requests cut from the lakehouse telemetry, of the kind the model expects."""
    from logistics.lakehouse import TableNotFound
    from logistics.payloads import (
        TelemetrySample,
        classifier_requests,
        pattern_requests,
        window_requests,
    )

    kind = kind or PAYLOAD_BY_MODEL.get(model_name, "classifier")
    try:
        if kind == "classifier":
            return classifier_requests(TelemetrySample.load(table="iot_fleet"), n)
        sample = TelemetrySample.load()
    except TableNotFound as exc:
        fail(str(exc))
        raise
    if kind == "pattern":
        return pattern_requests(sample, n)
    return window_requests(sample, max(1, n // 25))


def report_dir(kind: str, model_name: str) -> Path:
    from logistics.settings import get_settings

    stamp = time.strftime("%Y%m%d-%H%M%S")
    return get_settings().reports_dir / kind / f"{model_name}-{stamp}"
