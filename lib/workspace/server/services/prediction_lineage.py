"""From a prediction uuid to the data its model learned from, through the workspace's records and
the MLflow run its build names.

Why these links and no others: the workspace knows the prediction's row (``POST /model`` writes
one per answer, kept for ``LAB_METRICS_RETENTION_DAYS``), its deployment, build and model; the
build names its MLflow run (a registry build: the ``run_id`` of its ``MLmodel``; a file build: the
deployment's ``MLFLOW_RUN_ID`` variable); the run's tags ``iceberg_table`` and
``iceberg_snapshot_id`` name the training data. Nothing here knows what the model or data are.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from workspace.schemas.lineage import (
    BuildRef,
    DeploymentRef,
    ModelRef,
    PredictionLineage,
    PredictionRef,
    ProjectRef,
    RunRef,
    TrainingData,
)
from workspace.server.services import mlflow_runs
from workspace.server.services.errors import NotFound
from workspace.server.storage import tables as db


def trace_prediction(
    session: Session,
    prediction_uuid: str,
    *,
    visible: Callable[[db.Project], bool],
    tracking_uri: str,
) -> PredictionLineage:
    """The lineage of one prediction; ``NotFound`` naming the uuid when it is unknown, past its
    retention, or in a project the caller may not see (answered alike, so nothing leaks)."""
    found = _prediction_in_sight(session, prediction_uuid, visible)
    if found is None:
        raise NotFound(
            f"prediction '{prediction_uuid}' not found (unknown, past the metrics retention, "
            "or in a project you cannot see)"
        )
    row, deployment, project = found
    build = session.get(db.Build, deployment.build_id)
    model = session.get(db.Model, deployment.model_id)
    if build is None or model is None:
        raise NotFound(f"prediction '{prediction_uuid}' not found (its model was deleted)")
    gaps: list[str] = []
    run_id = _run_id(build, deployment, gaps)
    run = mlflow_runs.read_run(tracking_uri, run_id) if run_id else None
    if run_id and run is None:
        gaps.append(f"MLflow run '{run_id}' is not in the tracking store (deleted or unreachable)")
    data = _training_data(run, gaps) if run else None
    return PredictionLineage(
        prediction=PredictionRef(
            uuid=row.prediction_uuid,
            served_at=datetime.fromtimestamp(row.start_ms / 1000, tz=UTC),
            latency_ms=row.latency_ms,
            status_code=row.status_code,
            replica_id=row.replica_id,
        ),
        project=ProjectRef.model_validate(project),
        model=ModelRef.model_validate(model),
        deployment=DeploymentRef.model_validate(deployment),
        build=_build_ref(build),
        run=_run_ref(run, tracking_uri) if run else None,
        training_data=data,
        gaps=gaps,
    )


def _prediction_in_sight(
    session: Session, prediction_uuid: str, visible: Callable[[db.Project], bool]
) -> tuple[db.PredictionMetric, db.Deployment, db.Project] | None:
    if not prediction_uuid:  # aggregate rows carry an empty uuid
        return None
    m = db.PredictionMetric
    rows = session.scalars(
        select(m).where(m.prediction_uuid == prediction_uuid).order_by(m.id.desc())
    ).all()
    for row in rows:
        deployment = session.scalar(
            select(db.Deployment).where(db.Deployment.crn == row.deployment_crn)
        )
        project = session.get(db.Project, deployment.project_id) if deployment else None
        if project is not None and visible(project):
            return row, deployment, project
    return None


def _run_id(build: db.Build, deployment: db.Deployment, gaps: list[str]) -> str:
    if build.registered_model_version_id:
        run_id = mlflow_runs.run_id_of(Path(build.model_uri)) if build.model_uri else ""
        if not run_id:
            gaps.append("the registered model's MLmodel file names no run_id")
        return run_id
    run_id = (deployment.environment or {}).get(mlflow_runs.RUN_ID_VARIABLE, "").strip()
    if not run_id:
        gaps.append(
            f"the deployment has no {mlflow_runs.RUN_ID_VARIABLE} variable: set it to the "
            "training run's id when deploying a file build"
        )
    return run_id


def _build_ref(build: db.Build) -> BuildRef:
    common = {
        "id": build.id,
        "crn": build.crn,
        "files_sha256": build.files_sha256,
        "built_at": build.built_at,
    }
    if not build.registered_model_version_id:
        return BuildRef(
            kind="files", file_path=build.file_path, function_name=build.function_name, **common
        )
    name, _, version = build.registered_model_version_id.rpartition("/")
    reference = build.model_reference or build.registered_model_version_id
    alias = reference.partition("@")[2] or None
    return BuildRef(
        kind="registry",
        registered_model=name or build.registered_model_version_id,
        version=version or None,
        alias=alias,
        model_reference=reference,
        **common,
    )


def _run_ref(run: mlflow_runs.MlflowRun, tracking_uri: str) -> RunRef:
    return RunRef(
        run_id=run.run_id,
        experiment_id=run.experiment_id,
        run_name=run.run_name,
        status=run.status,
        params=run.params,
        metrics=run.metrics,
        tags={
            k: v
            for k, v in sorted(run.tags.items())
            if k.startswith(mlflow_runs.LINEAGE_TAG_PREFIXES)
        },
        url=mlflow_runs.run_url(tracking_uri, run),
    )


def _training_data(run: mlflow_runs.MlflowRun, gaps: list[str]) -> TrainingData | None:
    tags = run.tags
    table = tags.get(mlflow_runs.TABLE_TAG)
    if not table:
        gaps.append(f"MLflow run '{run.run_id}' has no {mlflow_runs.TABLE_TAG} tag")
        return None
    return TrainingData(
        table=table,
        snapshot_id=_integer(tags.get(mlflow_runs.SNAPSHOT_TAG)),
        committed_at=_timestamp(tags.get("iceberg_snapshot_committed_at")),
        parent_id=_integer(tags.get("iceberg_parent_id")),
        row_count=_integer(tags.get("row_count")),
    )


def _integer(text: str | None) -> int | None:
    try:
        return int(text) if text else None
    except ValueError:
        return None


def _timestamp(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None
