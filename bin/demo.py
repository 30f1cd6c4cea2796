"""The whole lab with one command (``make demo``): DEV, PRD and MLflow chains as workspace jobs.

Starts the workspace, creates the DEV project from this checkout and runs 00 → 01A → 01B → 02 →
03 → 04 as a chain of jobs (each starts when its parent succeeds), then the PRD project's 05 → 06
→ 07 and the mlflow_project chain 00 → 07, and ends with a summary: endpoints and their answers
to the lab's test requests, report paths, and the before/after capacity of the redeployment. A
failing job stops the demo with its log tail and a non-zero exit.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STEP_TIMEOUT_S = 1800

DEV_CHAIN = [
    ("00 datagen", "dev/00_datagen.py", "--mode replace"),
    ("01A map", "dev/01A_map_viz.py", ""),
    ("01B geospatial", "dev/01B_geospatial_analysis.py", ""),
    ("02 training", "dev/02_model_training.py", ""),
    ("03 deploy TimeSeriesQuery", "dev/03_model_deployment.py", ""),
    ("04 deploy MultiDimMotif", "dev/04_model_deployment.py", ""),
]
PRD_CHAIN = [
    ("05 simulation", "05_model_simulation.py", "--duration 20"),
    ("06 monitoring", "06_model_monitoring.py", ""),
    ("07 redeployment", "07_model_redeployment.py", "--seconds 15"),
]
MLFLOW_CHAIN = [
    ("00 datagen", "00_datagen.py", ""),
    ("01 train", "01_train_xgboost.py", ""),
    ("02 deploy", "02_api_deployment.py", ""),
    ("03 new batch", "03_newbatch.py", ""),
    ("04 retrain", "04_train_xgboost.py", ""),
    ("05 redeploy", "05_api_redeployment.py", ""),
    ("06 simulation", "06_model_simulation.py", ""),
    ("07 monitoring", "07_model_monitoring.py", ""),
]


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def ensure_chain(client, project_id: str, chain: list[tuple[str, str, str]]) -> list:
    """Jobs of the chain, each the child of the one before (reused when they exist)."""
    existing = {j.name: j for j in client.list_jobs(project_id=project_id, page_size=100).jobs}
    jobs, parent = [], None
    for name, script, arguments in chain:
        job = existing.get(name) or client.create_job(
            project_id=project_id,
            name=name,
            script=script,
            arguments=arguments,
            parent_job_id=parent.id if parent else None,
            timeout=STEP_TIMEOUT_S,
            cpu=1,
            memory=4,
        )
        jobs.append(job)
        parent = job
    return jobs


def run_chain(client, project_id: str, jobs: list, label: str) -> dict[str, str]:
    """Start the chain's first job and follow every run to its end; return the logs."""
    from workspace.client import WorkspaceError

    started_after = {
        j.id: {r.id for r in client.list_job_runs(project_id=project_id, job_id=j.id).job_runs}
        for j in jobs
    }
    client.create_job_run(project_id=project_id, job_id=jobs[0].id)
    logs: dict[str, str] = {}
    for job in jobs:
        say(f"{label}: {job.name} ({job.script}) ...")
        deadline = time.monotonic() + STEP_TIMEOUT_S
        run = None
        while run is None and time.monotonic() < deadline:
            fresh = [
                r
                for r in client.list_job_runs(project_id=project_id, job_id=job.id).job_runs
                if r.id not in started_after[job.id]
            ]
            run = fresh[0] if fresh else None
            time.sleep(0.5)
        if run is None:
            raise SystemExit(f"error: job {job.name!r} never started")
        began = time.monotonic()
        try:
            client.wait_for_job_run(
                project_id=project_id, job_id=job.id, run_id=run.id, timeout=STEP_TIMEOUT_S
            )
        except WorkspaceError as exc:
            print(f"error: {label} job {job.name!r} failed", file=sys.stderr)
            print(exc.log_tail or str(exc), file=sys.stderr)
            raise SystemExit(1) from None
        logs[job.name] = client.get_job_run_logs(
            project_id=project_id, job_id=job.id, run_id=run.id
        )
        say(f"{label}: {job.name} succeeded in {time.monotonic() - began:.0f} s")
    return logs


def main() -> int:
    began = time.monotonic()
    subprocess.run([sys.executable, "-m", "workspace.cli", "up"], check=True, cwd=ROOT)
    from logistics.model_requests import CLASSIFIER_SEED_REQUEST, PATTERN_TEST_REQUEST
    from workspace.client import WorkspaceClient, WorkspaceError
    from workspace.lifecycle import ensure_project, find_project, serving

    client = WorkspaceClient()
    try:
        dev = ensure_project(client, "logistics-dev", ROOT, description="DEV: data, maps, models")
        run_chain(client, dev.id, ensure_chain(client, dev.id, DEV_CHAIN), "DEV")
        prd = find_project(client, "logistics-prd")
        prd_logs = run_chain(client, prd.id, ensure_chain(client, prd.id, PRD_CHAIN), "PRD")
        mlf = ensure_project(
            client,
            "logistics-mlflow",
            ROOT / "mlflow_project",
            description="XGBoost IoT classifier through the MLflow registry",
        )
        run_chain(client, mlf.id, ensure_chain(client, mlf.id, MLFLOW_CHAIN), "MLflow")

        print("\n=== Logistics MLOps Lab: summary ===")
        print(f"workspace  {client.api_url}  (API docs {client.api_url}/docs)")
        print(f"console    {client.api_url}/  (sign in with the admin's API key)")
        tests = [
            (prd.id, "TimeSeriesQuery", PATTERN_TEST_REQUEST),
            (mlf.id, "IOTFailureClf", CLASSIFIER_SEED_REQUEST),
        ]
        for project_id, name, request in tests:
            served = serving(client, project_id, name)
            answer = client.call_model(served.model.access_key, request)["response"]
            if isinstance(answer, dict):
                answer = answer.get("prediction", answer)
                answer = {k: answer[k] for k in ("nearest_neighbor",) if k in answer} or answer
            print(
                f"endpoint   {name}: POST {client.api_url}/model  accessKey "
                f"{served.model.access_key}  ({served.deployment.replicas} replica(s))"
            )
            print(f"           test request {request} -> {answer}")
    except WorkspaceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    from logistics.settings import get_settings

    reports = get_settings().reports_dir
    for path in sorted(p for p in reports.rglob("*") if p.suffix in {".html", ".png"}):
        print(f"report     {path}")
    table = prd_logs["07 redeployment"].splitlines()
    start = next((i for i, line in enumerate(table) if line.strip().startswith("before")), None)
    if start is not None:
        print("capacity   TimeSeriesQuery before/after redeployment:")
        for line in table[start : start + 5]:
            print(f"           {line}")
    print(f"finished in {(time.monotonic() - began) / 60:.1f} minutes")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "lib"))
    raise SystemExit(main())
