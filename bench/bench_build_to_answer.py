"""Create build → first good answer: how long a model change takes to reach its endpoint.

Starts a real workspace server on a free loopback port with a throw-away LAB_HOME, creates a
project holding a one-line echo model, then times, several times over: create_model_build →
built → create_model_deployment → deployed → first 200 from ``POST /model``. Goal: ≤ 10 s.

    python bench/bench_build_to_answer.py --rounds 5
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from workspace.client import WorkspaceClient

GOAL_S = 10.0
ECHO = "def predict(args):\n    return args\n"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(home: Path, project_root: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAB_")}
    env.update(
        LAB_HOME=str(home), LAB_PORT=str(port), MLFLOW_TRACKING_URI=f"sqlite:///{home}/mlflow.db",
        LAB_PROJECT_ROOTS=str(project_root),  # projects come from below it, never from LAB_HOME
    )  # fmt: skip
    log = (home / "server.log").open("ab")
    proc = subprocess.Popen(
        [sys.executable, "-m", "workspace.server"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
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


def one_round(client: WorkspaceClient, project_id: str, model, index: int) -> dict[str, float]:
    t0 = time.perf_counter()
    build = client.create_model_build(
        project_id=project_id, model_id=model.id, file_path="echo.py", function_name="predict"
    )
    client.wait_for_build(
        project_id=project_id, model_id=model.id, build_id=build.id, timeout=120, poll=0.02
    )
    t_built = time.perf_counter()
    dep = client.create_model_deployment(
        project_id=project_id, model_id=model.id, build_id=build.id, cpu=0.5, memory=0.5
    )
    client.wait_for_deployment(
        project_id=project_id,
        model_id=model.id,
        build_id=build.id,
        deployment_id=dep.id,
        timeout=120,
        poll=0.02,
    )
    t_deployed = time.perf_counter()
    while True:
        answer = client.call_model(model.access_key, {"round": index})
        if answer.get("success") and answer["response"] == {"round": index}:
            break
    t_answer = time.perf_counter()
    client.stop_model_deployment(
        project_id=project_id, model_id=model.id, build_id=build.id, deployment_id=dep.id
    )
    return {
        "build_s": t_built - t0,
        "deploy_s": t_deployed - t_built,
        "first_answer_s": t_answer - t_deployed,
        "total_s": t_answer - t0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="Builds to time.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        home, src = Path(tmp) / "home", Path(tmp) / "src"
        home.mkdir()
        src.mkdir()
        (src / "echo.py").write_text(ECHO)
        proc, url = start_server(home, src)
        try:
            key = json.loads((home / "credentials.json").read_text())["api_key"]
            client = WorkspaceClient(url, key)
            project = client.create_project(name="bench", template="local", local_path=str(src))
            model = client.create_model(project_id=project.id, name="echo")
            rounds = [one_round(client, project.id, model, i) for i in range(args.rounds)]
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
    print(f"create build -> first good answer, echo model, {args.rounds} rounds")
    for key in ("build_s", "deploy_s", "first_answer_s", "total_s"):
        values = [r[key] for r in rounds]
        print(
            f"  {key:<15} median {statistics.median(values):6.2f} s"
            f"   min {min(values):6.2f} s   max {max(values):6.2f} s"
        )
    median = statistics.median(r["total_s"] for r in rounds)
    verdict = "meets" if median <= GOAL_S else "misses"
    print(f"  goal {GOAL_S:.0f} s: median is {median / GOAL_S:.2f}x the goal ({verdict} it)")


if __name__ == "__main__":
    main()
