"""Faults under load: the workspace server restarted, and one replica killed with SIGKILL.

Why under load: recovery that only works on an idle server is not recovery. The restart row
counts what a user would miss — seconds until every deployment answers again, and predictions
answered before the restart whose metric rows did not survive it.
"""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass

import psutil
from workspace.load.background import BackgroundLoad
from workspace.load.generator import LoadPlan

from reliability.lab import Lab, answers

REPLICA_MODULE = "workspace.replica"


@dataclass
class RestartReport:
    requests: int
    answered: int
    recovery_s: float
    """From the stop signal to every deployment answering again on the new server process."""
    records_lost: int
    """Predictions answered with a uuid whose metric row is missing after the restart."""
    rows_before: dict[str, int]
    rows_after: dict[str, int]


@dataclass
class KillReport:
    requests: int
    failed: int
    replicas_ready_after: int


def _counts(lab: Lab) -> dict[str, int]:
    admin = lab.server.client()
    ids = {"project_id": lab.project_id, "model_id": lab.model_id}
    return {
        "projects": len(admin.list_projects(page_size=1000).projects),
        "models": len(admin.list_models(project_id=lab.project_id).models),
        "builds": len(admin.list_model_builds(**ids).model_builds),
        "deployments": len(
            admin.list_model_deployments(**ids, build_id=lab.build_id).model_deployments
        ),
    }


def _plan(lab: Lab, **bounds: float) -> LoadPlan:
    return LoadPlan(
        url=lab.model_url,
        payloads=lambda i: {"n": i},
        access_key=lab.access_key,
        timeout_s=5,
        **bounds,
    )


def restart_under_load(lab: Lab, duration_s: float, *, rate: float = 20) -> RestartReport:
    """Fixed-rate load for ``duration_s``; the server is stopped and started a third of the way."""
    before = _counts(lab)
    with BackgroundLoad(_plan(lab, rate=rate, duration_s=duration_s)) as load:
        time.sleep(duration_s / 3)
        began = time.monotonic()
        lab.server.stop()
        lab.server.start()
        while not answers(lab, timeout_s=1) and time.monotonic() - began < 60:
            time.sleep(0.05)
        recovery = time.monotonic() - began
        time.sleep(max(0.0, duration_s - duration_s / 3 - recovery))
    records = load._result.records if load._result else []
    answered = [r for r in records if r.error is None and r.uuid]
    rows = lab.server.client().read_metrics(model_deployment_crn=lab.deployment_crn).metrics
    stored = {row.predictionUuid for row in rows}
    lost = sum(1 for r in answered if r.uuid not in stored)
    return RestartReport(len(records), len(answered), recovery, lost, before, _counts(lab))


def replica_pids(lab: Lab) -> list[int]:
    assert lab.server.process is not None
    server = psutil.Process(lab.server.process.pid)
    return [
        child.pid
        for child in server.children(recursive=True)
        if any(REPLICA_MODULE in part for part in child.cmdline())
    ]


def kill_replica_under_load(lab: Lab, duration_s: float, *, concurrency: int = 16) -> KillReport:
    """Closed-loop load at ``concurrency``; one replica gets SIGKILL a third of the way."""
    with BackgroundLoad(_plan(lab, concurrency=concurrency, duration_s=duration_s)) as load:
        time.sleep(duration_s / 3)
        victims = replica_pids(lab)
        if not victims:
            raise SystemExit("error: no replica process found to kill")
        os.kill(victims[0], signal.SIGKILL)
        time.sleep(duration_s * 2 / 3)
    summary = load.summary
    deadline = time.monotonic() + 30
    while (ready := _ready_replicas(lab)) < 2 and time.monotonic() < deadline:
        time.sleep(0.5)
    return KillReport(summary.count, summary.failed, ready)


def _ready_replicas(lab: Lab) -> int:
    replicas = lab.server.client().list_model_replicas(
        project_id=lab.project_id, model_id=lab.model_id, build_id=lab.build_id,
        deployment_id=lab.deployment_id,
    ).replicas  # fmt: skip
    return sum(r.state == "ready" for r in replicas)
