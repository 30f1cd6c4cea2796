"""Raising an alert on a deployment: a Prometheus gauge, a metric row, a history event, a job run.

Why all four from one call: whoever watches the workspace looks in a different place — a
Prometheus alert rule reads ``lab_drift_alert`` on ``/metrics``, a monitoring script reads
``read_metrics`` (the row's metrics are named ``alert.*``), an operator reads the deployment's
history — and the deployment's alert job (a retrain, say) starts without anyone looking.

Why the gauge is registered here on the telemetry's registry: ``/metrics`` serves that one
registry, and alerts add figures to it without the request path knowing about them.
"""

from __future__ import annotations

import logging
import time

from prometheus_client import CollectorRegistry, Counter, Gauge
from sqlalchemy import select
from sqlalchemy.orm import Session

from workspace.schemas.alerts import METRIC_PREFIX, AlertCreate, AlertOut
from workspace.schemas.states import JOB_RUNS_ACTIVE
from workspace.server.services.deployment_history import add_event
from workspace.server.services.registry import Registry
from workspace.server.services.scheduler import JobService
from workspace.server.services.training_data import training_snapshot
from workspace.server.storage import tables as db

log = logging.getLogger("workspace.alerts")

ALERT_EVENT = "alert"


class Alerts:
    """Stores and shows alerts; starts a deployment's alert job."""

    def __init__(self, prometheus: CollectorRegistry, jobs: JobService, registry: Registry) -> None:
        self.jobs = jobs
        self.registry = registry
        self.gauge = Gauge(
            "lab_drift_alert",
            "Figure of the last alert per deployment, kind, detector and feature.",
            ["deployment", "kind", "detector", "feature"],
            registry=prometheus,
        )
        self.count = Counter(
            "lab_drift_alerts",
            "Alerts raised per deployment, kind and detector.",
            ["deployment", "kind", "detector"],
            registry=prometheus,
        )

    def raise_alert(
        self, session: Session, dep: db.Deployment, body: AlertCreate, *, user_id: str
    ) -> AlertOut:
        """Record ``body`` on ``dep`` everywhere it shows; a feature-drift alert needs the build's
        training snapshot (``NoTrainingSnapshot``, a 409, otherwise; nothing is stored)."""
        build = session.get(db.Build, dep.build_id)
        model = session.get(db.Model, dep.model_id)
        details: dict = {"reference": None}
        if body.kind == "feature_drift":
            snapshot = training_snapshot(self.registry, build)
            details["reference"] = {"table": snapshot.table, "snapshot_id": snapshot.snapshot_id}
        now = int(time.time() * 1000)
        start = body.start_timestamp_ms if body.start_timestamp_ms is not None else now
        end = body.end_timestamp_ms if body.end_timestamp_ms is not None else max(start, now)
        figures = {
            "kind": body.kind,
            "detector": body.detector,
            "feature": body.feature,
            "value": body.value,
            "threshold": body.threshold,
            "window": body.window,
        }
        session.add(
            db.PredictionMetric(
                prediction_uuid="",
                model_crn=model.crn if model else "",
                build_crn=build.crn if build else "",
                deployment_crn=dep.crn,
                start_ms=start,
                end_ms=end,
                metrics={f"{METRIC_PREFIX}{k}": v for k, v in figures.items()},
            )
        )
        session.commit()  # stored before the job starts: its run may read it
        run_id = self._start_alert_job(session, dep, user_id)
        message = body.message or self._default_message(body)
        add_event(
            session,
            dep.id,
            ALERT_EVENT,
            message,
            {**figures, **details, "job_run_id": run_id, "start_ms": start, "end_ms": end},
            ts_ms=now,
        )
        session.commit()
        self.gauge.labels(dep.id, body.kind, body.detector, body.feature).set(body.value)
        self.count.labels(dep.id, body.kind, body.detector).inc()
        return AlertOut(
            deployment_id=dep.id,
            kind=body.kind,
            detector=body.detector,
            feature=body.feature,
            value=body.value,
            threshold=body.threshold,
            window=body.window,
            start_timestamp_ms=start,
            end_timestamp_ms=end,
            message=message,
            job_run_id=run_id,
        )

    @staticmethod
    def _default_message(body: AlertCreate) -> str:
        where = f" of {body.feature}" if body.feature else ""
        past = f" past {body.threshold:g}" if body.threshold is not None else ""
        window = f" in window {body.window}" if body.window else ""
        return f"{body.kind.replace('_', ' ')}{where}: {body.detector} {body.value:g}{past}{window}"

    def _start_alert_job(self, session: Session, dep: db.Deployment, user_id: str) -> str:
        """A run of the deployment's alert job, unless one is already active; its id or ''."""
        action = session.get(db.AlertAction, dep.id)
        job = session.get(db.Job, action.job_id) if action else None
        if job is None:
            return ""
        busy = session.scalar(
            select(db.JobRun.id).where(
                db.JobRun.job_id == job.id, db.JobRun.status.in_(JOB_RUNS_ACTIVE)
            )
        )
        if busy:
            log.info("deployment %s: alert job %s still running (%s)", dep.id, job.id, busy)
            return busy
        # The run acts with the rights of whoever raised the alert (an operator of the project).
        return self.jobs.run(job, triggered_by=f"alert on {dep.id}", creator_id=user_id).id
