"""An MLflow run as lineage reads it: experiment, name, status, parameters, metrics and tags.

Why the server reads runs itself: a build names its run (a registry build's ``MLmodel`` file, a
file build's deployment through ``MLFLOW_RUN_ID``), and the run's tags name the data it learned
from; one reader serves the console and the API. A tracking server is asked over its REST API,
a database or file store through MLflow's own client; an unreachable store answers ``None``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import requests

RUN_ID_VARIABLE = "MLFLOW_RUN_ID"
"""The deployment variable that names a file build's MLflow run (MLflow's own name for it)."""

TABLE_TAG = "iceberg_table"
SNAPSHOT_TAG = "iceberg_snapshot_id"
"""The two run tags that name the training data: what lineage follows and drift compares to."""

LINEAGE_TAG_PREFIXES = ("iceberg_", "row_count", "dataset", "source")
"""Run tags that say where the training data came from: ``iceberg_table``,
``iceberg_snapshot_id``, ``iceberg_snapshot_committed_at``, ``iceberg_parent_id``, ``row_count``."""


@dataclass(frozen=True)
class MlflowRun:
    run_id: str
    experiment_id: str
    run_name: str = ""
    status: str = ""
    params: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)


def ui_base(tracking_uri: str) -> str:
    """The MLflow UI's address, when the tracking store is a server (a file store has none)."""
    return tracking_uri.rstrip("/") if tracking_uri.startswith(("http://", "https://")) else ""


def run_url(tracking_uri: str, run: MlflowRun) -> str:
    base = ui_base(tracking_uri)
    return f"{base}/#/experiments/{run.experiment_id}/runs/{run.run_id}" if base else ""


def run_id_of(model_dir: Path) -> str:
    """The run that logged an MLflow model, from its ``MLmodel`` file ('' when it names none)."""
    try:
        text = (model_dir / "MLmodel").read_text()
    except OSError:
        return ""
    found = re.search(r"^run_id:\s*(\S+)", text, re.MULTILINE)
    return found[1] if found else ""


def read_run(tracking_uri: str, run_id: str) -> MlflowRun | None:
    """Run ``run_id`` of the tracking store; None when it is unknown or the store is down."""
    if not run_id:
        return None
    base = ui_base(tracking_uri)
    if not base:
        return _from_store(tracking_uri, run_id)
    try:
        answer = requests.get(
            f"{base}/api/2.0/mlflow/runs/get", params={"run_id": run_id}, timeout=2
        )
        run = answer.json()["run"]
    except (requests.RequestException, ValueError, KeyError):
        return None
    data, info = run.get("data", {}), run["info"]
    return MlflowRun(
        run_id=run_id,
        experiment_id=info.get("experiment_id", ""),
        run_name=info.get("run_name", ""),
        status=info.get("status", ""),
        params={p["key"]: p["value"] for p in data.get("params", [])},
        metrics={m["key"]: float(m["value"]) for m in data.get("metrics", [])},
        tags={t["key"]: t["value"] for t in data.get("tags", [])},
    )


def _from_store(tracking_uri: str, run_id: str) -> MlflowRun | None:
    from mlflow.exceptions import MlflowException
    from mlflow.tracking import MlflowClient

    try:
        run = MlflowClient(tracking_uri=tracking_uri).get_run(run_id)
    except MlflowException:
        return None
    return MlflowRun(
        run_id=run_id,
        experiment_id=run.info.experiment_id,
        run_name=run.info.run_name or "",
        status=run.info.status,
        params=dict(run.data.params),
        metrics=dict(run.data.metrics),
        tags=dict(run.data.tags),
    )
