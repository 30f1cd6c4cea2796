"""Registry-built endpoint vs ``mlflow models serve`` on the same model version and machine.

Both serve the same registered XGBoost version (one replica / one worker); the same load generator
sends the same single-row ``dataframe_split`` requests to each at 8 concurrent connections for the
same time. Prints requests/s and latency percentiles of both, their ratios, and checks that both
answer the same predictions.

    .venv/bin/python bench/bench_registry_endpoint.py [--seconds 15] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=1).ok:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"error: {url} did not answer within {timeout:.0f} s")


def register_model(home: Path) -> str:
    import mlflow
    import pandas as pd
    from logistics.failure_model import ClassifierParams, train
    from logistics.fleet import FleetSpec, simulate_device
    from logistics.registry import CHAMPION, register
    from logistics.snapshots import SnapshotInfo

    spec = FleetSpec(devices=10, days=1, seed=3)
    frame = pd.concat([simulate_device(spec, i) for i in range(spec.devices)], ignore_index=True)
    trained = train(frame, ClassifierParams(seed=1))
    mlflow.set_experiment("bench-registry")
    from logistics.failure_model import log_run

    lineage = SnapshotInfo(
        table="simulated",
        snapshot_id=0,
        committed_at=pd.Timestamp.now(tz="UTC").to_pydatetime(),
        parent_id=None,
        row_count=len(frame),
    )
    _, uri = log_run(trained, lineage, run_name="bench")
    return f"models:/BenchClf/{register(uri, 'BenchClf', CHAMPION)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="bench-registry-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAB_")}
    env.update(LAB_HOME=str(home), MLFLOW_TRACKING_URI=f"sqlite:///{home / 'mlflow.db'}")
    # `mlflow models serve` runs `uvicorn` by name: the one beside this interpreter
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    os.environ.update(env)
    model_uri = register_model(home)

    port, mlflow_port = free_port(), free_port()
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "workspace.server"],
            env={**env, "LAB_PORT": str(port)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        ),
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "mlflow",
                "models",
                "serve",
                "-m",
                model_uri,
                "--env-manager",
                "local",
                "--host",
                "127.0.0.1",
                "-p",
                str(mlflow_port),
                "--workers",
                "1",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        ),
    ]
    try:
        from workspace.client import WorkspaceClient
        from workspace.load import LoadPlan, run_load

        url = f"http://127.0.0.1:{port}"
        wait_until(f"{url}/api/v2/health")
        key = json.loads((home / "credentials.json").read_text())["api_key"]
        client = WorkspaceClient(url, key)
        project = client.create_project(
            name="bench", template="local", local_path=str(ROOT / "mlflow_project")
        )
        model = client.create_model(
            project_id=project.id, name="BenchClf", registered_model_id="BenchClf"
        )
        build = client.create_model_build(
            project_id=project.id,
            model_id=model.id,
            registered_model_version_id="BenchClf@champion",
        )
        client.wait_for_build(
            project_id=project.id, model_id=model.id, build_id=build.id, timeout=300
        )
        dep = client.create_model_deployment(
            project_id=project.id, model_id=model.id, build_id=build.id, cpu=1, memory=2, replicas=1
        )
        client.wait_for_deployment(
            project_id=project.id,
            model_id=model.id,
            build_id=build.id,
            deployment_id=dep.id,
            timeout=300,
        )
        wait_until(f"http://127.0.0.1:{mlflow_port}/ping")

        columns = ["iot_signal_1", "iot_signal_2", "iot_signal_3", "iot_signal_4"]
        rows = [[2 + i % 7, 3 + i % 7, 50 + i % 5, 100 + i % 8] for i in range(64)]
        bodies = [{"dataframe_split": {"columns": columns, "data": [r]}} for r in rows]
        ours = [b | {"accessKey": model.access_key} for b in bodies]
        same = all(
            requests.post(f"{url}/model", json=a, timeout=10).json()["response"]
            == requests.post(
                f"http://127.0.0.1:{mlflow_port}/invocations", json=b, timeout=10
            ).json()["predictions"]
            for a, b in zip(ours, bodies, strict=True)
        )
        results = {}
        for name, target, payloads in (
            ("mlflow models serve", f"http://127.0.0.1:{mlflow_port}/invocations", bodies),
            ("workspace endpoint", f"{url}/model", ours),
        ):
            plan = LoadPlan(
                url=target,
                payloads=payloads,
                concurrency=args.concurrency,
                duration_s=args.seconds,
                envelope=False,
            )
            run_load(LoadPlan(url=target, payloads=payloads, count=200, envelope=False))  # warm
            results[name] = run_load(plan).summary
        print(f"same predictions on {len(rows)} requests: {same}")
        print(f"{'server':22}{'requests/s':>12}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
        for name, s in results.items():
            print(f"{name:22}{s.requests_per_s:12.1f}{s.p50_ms:9.1f}{s.p99_ms:9.1f}{s.failed:8d}")
        base, lab = results["mlflow models serve"], results["workspace endpoint"]
        print(
            f"ratio requests/s {lab.requests_per_s / base.requests_per_s:.2f}x (goal >= 2), "
            f"p99 {lab.p99_ms / base.p99_ms:.2f}x (goal <= 0.5)"
        )
    finally:
        for proc in procs:
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
