"""Where a build came from: its registered model version and MLflow run, the run's lineage tags
(e.g. the table and snapshot it learned from), and links into the MLflow UI.

Why read the run's id from the build: a registry build holds the model's ``MLmodel`` file, which
names the run that logged it, so no registry search is needed; a build never changes, so what
MLflow answers about it is kept for the server's life.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import requests

from workspace.server.storage import tables as db
from workspace.server.wiring import Services

LINEAGE_TAG_PREFIXES = ("iceberg_", "row_count", "dataset", "source")
_cache: dict[str, BuildLineage] = {}


@dataclass(frozen=True)
class BuildLineage:
    build_id: str
    kind: str  # "registry" or "files"
    registered_model: str = ""
    version: str = ""
    run_id: str = ""
    experiment_id: str = ""
    model_url: str = ""
    run_url: str = ""
    tags: dict[str, str] = field(default_factory=dict)


def ui_base(services: Services) -> str:
    """The MLflow UI's address, when the tracking store is a server (a file store has none)."""
    uri = services.settings.mlflow_tracking_uri
    return uri.rstrip("/") if uri.startswith(("http://", "https://")) else ""


def run_id_of(model_dir: Path) -> str:
    try:
        text = (model_dir / "MLmodel").read_text()
    except OSError:
        return ""
    found = re.search(r"^run_id:\s*(\S+)", text, re.MULTILINE)
    return found[1] if found else ""


def _run(services: Services, run_id: str) -> tuple[str, dict[str, str]]:
    """The run's experiment id and tags, from the tracking store ('' and {} if unreachable)."""
    base = ui_base(services)
    if not run_id:
        return "", {}
    if not base:  # a database or file store: MLflow's own client reads it
        return _run_from_store(services.settings.mlflow_tracking_uri, run_id)
    try:
        answer = requests.get(
            f"{base}/api/2.0/mlflow/runs/get", params={"run_id": run_id}, timeout=2
        )
        run = answer.json()["run"]
    except (requests.RequestException, ValueError, KeyError):
        return "", {}
    tags = {t["key"]: t["value"] for t in run.get("data", {}).get("tags", [])}
    return run["info"].get("experiment_id", ""), tags


def _run_from_store(tracking_uri: str, run_id: str) -> tuple[str, dict[str, str]]:
    from mlflow.exceptions import MlflowException
    from mlflow.tracking import MlflowClient

    try:
        run = MlflowClient(tracking_uri=tracking_uri).get_run(run_id)
    except MlflowException:
        return "", {}
    return run.info.experiment_id, dict(run.data.tags)


def of_build(services: Services, build: db.Build) -> BuildLineage:
    if build.id in _cache:
        return _cache[build.id]
    if not build.registered_model_version_id:
        return BuildLineage(build.id, "files")
    name, _, version = build.registered_model_version_id.rpartition("/")
    run_id = run_id_of(Path(build.model_uri)) if build.model_uri else ""
    experiment_id, tags = _run(services, run_id)
    base = ui_base(services)
    found = BuildLineage(
        build.id,
        "registry",
        registered_model=name,
        version=version,
        run_id=run_id,
        experiment_id=experiment_id,
        model_url=f"{base}/#/models/{name}/versions/{version}" if base else "",
        run_url=f"{base}/#/experiments/{experiment_id}/runs/{run_id}"
        if base and experiment_id
        else "",
        tags={k: v for k, v in sorted(tags.items()) if k.startswith(LINEAGE_TAG_PREFIXES)},
    )
    if build.status == "built" and (
        experiment_id or not run_id
    ):  # a store that was down: ask again
        _cache[build.id] = found
    return found


def of_builds(services: Services, builds: list[db.Build]) -> dict[str, BuildLineage]:
    return {b.id: of_build(services, b) for b in builds}
