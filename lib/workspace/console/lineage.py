"""Where a build came from: its registered model version and MLflow run, the run's lineage tags
(e.g. the table and snapshot it learned from), and links into the MLflow UI.

Why read the run's id from the build: a registry build holds the model's ``MLmodel`` file, which
names the run that logged it, so no registry search is needed; a build never changes, so what
MLflow answers about it is kept for the server's life.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from workspace.server.services import mlflow_runs
from workspace.server.storage import tables as db
from workspace.server.wiring import Services

LINEAGE_TAG_PREFIXES = mlflow_runs.LINEAGE_TAG_PREFIXES
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
    return mlflow_runs.ui_base(services.settings.mlflow_tracking_uri)


def _run(services: Services, run_id: str) -> tuple[str, dict[str, str]]:
    """The run's experiment id and tags, from the tracking store ('' and {} if unreachable)."""
    run = mlflow_runs.read_run(services.settings.mlflow_tracking_uri, run_id)
    return (run.experiment_id, run.tags) if run else ("", {})


def of_build(services: Services, build: db.Build) -> BuildLineage:
    if build.id in _cache:
        return _cache[build.id]
    if not build.registered_model_version_id:
        return BuildLineage(build.id, "files")
    name, _, version = build.registered_model_version_id.rpartition("/")
    run_id = mlflow_runs.run_id_of(Path(build.model_uri)) if build.model_uri else ""
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
