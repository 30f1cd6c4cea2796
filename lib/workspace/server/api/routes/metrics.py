"""Model metrics as CML's ``cdsw`` reads and writes them: per prediction, delayed, aggregate."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from sqlalchemy import select

from workspace.schemas import AggregateMetrics, DelayedMetrics, MetricRows
from workspace.server.api.deps import ROLE_RANK, CurrentUser, SessionDep, TelemetryDep, role_in
from workspace.server.api.listing import TimestampParam, page_offset
from workspace.server.storage import tables as db

router = APIRouter(prefix="/metrics", tags=["metrics"])


def _check_role(session: SessionDep, user: db.User, project_id: str, minimum: str) -> None:
    project = session.get(db.Project, project_id)
    role = role_in(session, user, project) if project else None
    if role is None or ROLE_RANK[role] < ROLE_RANK[minimum]:
        raise HTTPException(403, f"user '{user.username}' may not access these metrics")


def _project_of(session: SessionDep, *, model_crn: str = "", deployment_crn: str = "") -> str:
    if deployment_crn:
        dep = session.scalar(select(db.Deployment).where(db.Deployment.crn == deployment_crn))
        if dep is None:
            raise HTTPException(404, f"model deployment '{deployment_crn}' not found")
        return dep.project_id
    model = session.scalar(select(db.Model).where(db.Model.crn == model_crn))
    if model is None:
        raise HTTPException(404, f"model '{model_crn}' not found")
    return model.project_id


@router.get("", response_model=MetricRows)
def read_metrics(
    user: CurrentUser,
    session: SessionDep,
    telemetry: TelemetryDep,
    model_crn: str = "",
    model_deployment_crn: str = "",
    start_timestamp_ms: TimestampParam = 0,
    end_timestamp_ms: TimestampParam | None = None,
    page_size: Annotated[int, Query(ge=1, le=100_000)] = 10_000,
    page_token: str = "",
) -> MetricRows:
    """Rows in time order, a page at a time (``next_page_token`` while more remain)."""
    if not (model_crn or model_deployment_crn):
        raise HTTPException(400, "give model_crn or model_deployment_crn")
    project_id = _project_of(session, model_crn=model_crn, deployment_crn=model_deployment_crn)
    _check_role(session, user, project_id, "viewer")
    telemetry.flush()
    m = db.PredictionMetric
    stmt = select(m).where(m.start_ms >= start_timestamp_ms)
    if model_crn:
        stmt = stmt.where(m.model_crn == model_crn)
    if model_deployment_crn:
        stmt = stmt.where(m.deployment_crn == model_deployment_crn)
    if end_timestamp_ms is not None:
        stmt = stmt.where(m.end_ms <= end_timestamp_ms)
    offset = page_offset(page_token)
    stmt = stmt.order_by(m.start_ms, m.id).offset(offset).limit(page_size + 1)
    rows = session.scalars(stmt).all()
    token = str(offset + page_size) if len(rows) > page_size else ""
    return MetricRows(metrics=rows[:page_size], next_page_token=token)


@router.post("/delayed", status_code=204)
def track_delayed_metrics(
    body: DelayedMetrics, user: CurrentUser, session: SessionDep, telemetry: TelemetryDep
) -> None:
    """Merge metrics known only later (e.g. the true label) into their prediction's row."""
    telemetry.flush()
    row = session.scalar(
        select(db.PredictionMetric).where(
            db.PredictionMetric.prediction_uuid == body.prediction_uuid
        )
    )
    if row is None:
        raise HTTPException(404, f"prediction '{body.prediction_uuid}' not found")
    _check_role(session, user, _project_of(session, deployment_crn=row.deployment_crn), "operator")
    row.metrics = {**(row.metrics or {}), **body.metrics}
    session.commit()


@router.post("/aggregate", status_code=204)
def track_aggregate_metrics(body: AggregateMetrics, user: CurrentUser, session: SessionDep) -> None:
    """A metric over a time window (e.g. accuracy of the last hour): a row with no uuid."""
    if body.end_timestamp_ms < body.start_timestamp_ms:
        raise HTTPException(400, "end_timestamp_ms is before start_timestamp_ms")
    dep = session.scalar(
        select(db.Deployment).where(db.Deployment.crn == body.model_deployment_crn)
    )
    if dep is None:
        raise HTTPException(404, f"model deployment '{body.model_deployment_crn}' not found")
    _check_role(session, user, dep.project_id, "operator")
    model = session.get(db.Model, dep.model_id)
    build = session.get(db.Build, dep.build_id)
    session.add(
        db.PredictionMetric(
            prediction_uuid="",
            model_crn=model.crn if model else "",
            build_crn=build.crn if build else "",
            deployment_crn=dep.crn,
            start_ms=body.start_timestamp_ms,
            end_ms=body.end_timestamp_ms,
            metrics=body.metrics,
        )
    )
    session.commit()
