"""Server time per console page at 100 models and 1,000 job runs (median and p95).

Seeds a throw-away LAB_HOME with one project holding 100 models (each with a build and a stopped
deployment), 10 jobs with 100 finished runs each, and 20,000 request metrics of one model over the
last 15 minutes; starts a real workspace server on loopback, signs in to the console, and reads
each page's ``Server-Timing`` (routing to rendered page, queries included) over many requests.
Baseline, measured in the same run: the API's own list of 50 models. Goal: every page < 200 ms.
The charts keep buckets that can no longer change, so a refresh reads only the last minutes; the
first read of a window (nothing kept yet, e.g. after a restart) is timed in this process too.

    python bench/bench_console.py --requests 40
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import requests
from workspace.console import charts
from workspace.core.security import crn, new_access_key, new_id
from workspace.server.storage import crud
from workspace.server.storage import tables as db

GOAL_MS = 200.0
MODELS, JOBS, RUNS_PER_JOB, METRICS = 100, 10, 100, 20_000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seed(home: Path) -> tuple[str, dict[str, str]]:
    """The admin's key and the ids the pages need, written straight into the database."""
    sessions = db.make_sessionmaker(db.make_engine(f"sqlite:///{home / 'workspace.db'}"))
    with sessions() as session:
        key = crud.bootstrap_admin(session)
        now = db.utcnow()
        project = db.Project(
            id=new_id(),
            name="Bench",
            template="blank",
            status="success",
            creator_id=crud.ADMIN,
            environment={"REGION": "eu"},
        )
        session.add(project)
        session.flush()  # rows without a relationship between them go in parent first
        (home / "projects" / project.id).mkdir(parents=True)
        models = []
        for n in range(MODELS):
            model = db.Model(
                id=new_id(),
                project_id=project.id,
                name=f"model-{n:03d}",
                crn="",
                access_key=new_access_key(),
                creator_id=crud.ADMIN,
                created_at=now - timedelta(minutes=n),
            )
            model.crn = crn("model", model.id)
            session.add(model)
            session.flush()
            build = db.Build(
                id=new_id(),
                model_id=model.id,
                project_id=project.id,
                crn="",
                file_path="models.py",
                function_name="predict",
                status="built",
                built_at=now,
                creator_id=crud.ADMIN,
            )
            build.crn = crn("build", build.id)
            session.add(build)
            session.flush()
            deployment = db.Deployment(
                id=new_id(),
                build_id=build.id,
                model_id=model.id,
                project_id=project.id,
                crn="",
                status="stopped",
                creator_id=crud.ADMIN,
            )
            deployment.crn = crn("deployment", deployment.id)
            session.add(deployment)
            models.append((model, deployment))
        parent = None
        for j in range(JOBS):
            job = db.Job(
                id=new_id(),
                project_id=project.id,
                name=f"step-{j}",
                script="step.py",
                parent_job_id=parent,
                creator_id=crud.ADMIN,
            )
            session.add(job)
            session.flush()
            parent = job.id
            for r in range(RUNS_PER_JOB):
                start = now - timedelta(hours=r, minutes=j)
                session.add(
                    db.JobRun(
                        id=new_id(),
                        job_id=job.id,
                        project_id=project.id,
                        status="ENGINE_SUCCEEDED",
                        creator_id=crud.ADMIN,
                        created_at=start,
                        running_at=start,
                        finished_at=start + timedelta(seconds=42),
                    )
                )
        session.flush()
        run_id = session.scalars(db.select(db.JobRun.id).where(db.JobRun.job_id == job.id)).first()
        model, deployment = models[0]
        end_ms = int(time.time() * 1000)
        session.add_all(
            db.PredictionMetric(
                prediction_uuid=new_id(),
                model_crn=model.crn,
                deployment_crn=deployment.crn,
                start_ms=(t := end_ms - i * 45),
                end_ms=t + 5,
                latency_ms=random.uniform(2, 40),
                status_code=200 if i % 50 else 500,
            )
            for i in range(METRICS)
        )
        session.commit()
    return key, {"project": project.id, "job": job.id, "run": run_id, "model": model.id}


def start_server(home: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAB_")}
    env.update(
        LAB_HOME=str(home), LAB_PORT=str(port), MLFLOW_TRACKING_URI=f"sqlite:///{home}/mlflow.db"
    )
    log = (home / "server.log").open("ab")
    proc = subprocess.Popen(
        [sys.executable, "-m", "workspace.server"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/api/v2/health", timeout=1).ok:
                return proc, url
        except requests.ConnectionError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("error: the workspace server did not start; see server.log")


def signed_in(url: str, key: str) -> requests.Session:
    http = requests.Session()
    token = re.search(r'name="signin_token" value="([^"]+)"', http.get(f"{url}/signin").text)[1]
    http.post(f"{url}/signin", data={"signin_token": token, "api_key": key}).raise_for_status()
    return http


def timings(http: requests.Session, url: str, count: int) -> tuple[list[float], list[float]]:
    """Server and client milliseconds of ``count`` GETs (after three to warm up)."""
    server, client = [], []
    for n in range(count + 3):
        started = time.perf_counter()
        answer = http.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        answer.raise_for_status()
        if n >= 3:
            header = answer.headers.get("server-timing", "")
            found = re.search(r"dur=([\d.]+)", header)
            server.append(float(found[1]) if found else float("nan"))
            client.append(elapsed)
    return server, client


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def first_reads(home: Path, model_id: str, count: int = 5) -> dict[str, list[float]]:
    """Milliseconds of ``request_series`` with nothing kept, per window, in this process."""
    sessions = db.make_sessionmaker(db.make_engine(f"sqlite:///{home / 'workspace.db'}"))
    found: dict[str, list[float]] = {}
    with sessions() as session:
        model_crn = session.get(db.Model, model_id).crn
        for window in ("15m", "24h"):
            for _ in range(count):
                charts.settled = charts.SettledBuckets()
                started = time.perf_counter()
                charts.request_series(session, model_crn, charts.WINDOWS_S[window])
                found.setdefault(window, []).append((time.perf_counter() - started) * 1000)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40, help="requests per page")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-console-") as tmp:
        home = Path(tmp)
        key, ids = seed(home)
        proc, url = start_server(home)
        try:
            http = signed_in(url, key)
            p, j, r, m = ids["project"], ids["job"], ids["run"], ids["model"]
            pages = {
                "projects": "/projects",
                "project (10 jobs, 50 models)": f"/projects/{p}",
                "job (100 runs, page 1)": f"/projects/{p}/jobs/{j}",
                "run": f"/projects/{p}/jobs/{j}/runs/{r}",
                "models (100, page 1)": "/models",
                "models page 2": "/models?offset=50",
                "model": f"/projects/{p}/models/{m}",
                "charts 15m (20k requests)": f"/projects/{p}/models/{m}/monitoring?window=15m",
                "charts 24h": f"/projects/{p}/models/{m}/monitoring?window=24h",
            }
            api = requests.Session()
            api.headers["Authorization"] = f"Bearer {key}"
            _, baseline = timings(api, f"{url}/api/v2/models?page_size=50", args.requests)
            base = statistics.median(baseline)
            print(
                f"console pages at {MODELS} models, {JOBS * RUNS_PER_JOB} job runs, "
                f"{args.requests} requests each"
            )
            print(f"  baseline: API list of 50 models, client median {base:.1f} ms")
            print(f"  {'page':32} {'server med':>10} {'p95':>7} {'client med':>11} {'x API':>6}")
            worst = 0.0
            for name, path in pages.items():
                server, client = timings(http, url + path, args.requests)
                worst = max(worst, p95(server))
                print(
                    f"  {name:32} {statistics.median(server):8.1f}ms {p95(server):5.1f}ms "
                    f"{statistics.median(client):9.1f}ms {statistics.median(client) / base:6.2f}"
                )
            for window, times in first_reads(home, m).items():
                print(
                    f"  {'charts ' + window + ' first read (in process)':32} "
                    f"{statistics.median(times):8.1f}ms {max(times):5.1f}ms (max of {len(times)})"
                )
            verdict = "meets" if worst < GOAL_MS else "misses"
            print(
                f"  goal {GOAL_MS:.0f} ms: the slowest p95 is {worst / GOAL_MS:.2f}x the goal "
                f"({verdict} it)"
            )
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)


if __name__ == "__main__":
    main()
