"""Serving tail latency: the real workspace ``POST /model`` under a C load generator, beside
``mlflow models serve -w 1`` (same model version) and Ray Serve (same echo), in one run.

    .venv/bin/python bench/bench_serving_tail.py              # every figure, ~4 minutes
    .venv/bin/python bench/bench_serving_tail.py --profile    # and a py-spy profile of the server

Two load shapes, both from C programs so the generator costs little of the shared cores:

- closed loop, ``wrk -t1 -c8``: 8 keep-alive connections, each sends its next request when the
  last one is answered (what the issue's table measured);
- open loop, ``h2load --h1 --rps``: requests leave on a fixed schedule whatever the server does,
  at 80% of the closed-loop rate, over 64 keep-alive connections that each send every 64/rate s.
  Why h2load: a server that stalls for 50 ms under ``wrk`` (even with a Lua pacing script) also
  stops the requests it would have been sent, so the stall hides in few samples (coordinated
  omission); h2load's ``--rps`` sends on a timer per connection and its ``--log-file`` gives every
  request's latency, so percentiles are exact. Debian has no wrk2; ``h2load --rate`` alone and
  httperf open a connection per request, which measures the server's TCP accept path instead
  (echo fell from ~500 to 184 req/s that way), and httperf reports no percentiles.

Then: requests answered against metric rows written (none may be lost), and an overload burst that
must end in 429 ``model.busy`` within the queue timeout, never a hang.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_registry_endpoint import register_model, wait_until
from reliability.lab import LabServer

ECHO = "def predict(args):\n    return args\n"
COLUMNS = ["iot_signal_1", "iot_signal_2", "iot_signal_3", "iot_signal_4"]
CLASSIFIER_ROW = {"dataframe_split": {"columns": COLUMNS, "data": [[35.5, 200.5, 30.5, 14.5]]}}
OPEN_CONNECTIONS = 64
WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK {\\"requests\\": %d, \\"duration_us\\": %d, \\"errors\\": %d, \\"non2xx\\": %d, "
    .. "\\"p50\\": %d, \\"p99\\": %d, \\"p999\\": %d, \\"max\\": %d}\\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max))
end
"""


@dataclass
class Round:
    """One load round against one endpoint: requests answered per second and latency in ms."""

    rps: float
    p50: float
    p99: float
    p999: float
    answered: int
    failed: int

    def line(self, name: str) -> str:
        return (
            f"  {name:<34}{self.rps:9.0f}{self.p50:9.2f}{self.p99:9.2f}{self.p999:9.2f}"
            f"{self.p99 / self.p50:8.1f}x{self.failed:7d}"
        )


HEADER = (
    f"  {'endpoint':<34}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'p99.9 ms':>9}"
    f"{'p99/p50':>9}{'failed':>7}"
)


def closed_loop(url: str, body: dict, seconds: float, work: Path) -> Round:
    """``wrk -t1 -c8`` for ``seconds``: 8 keep-alive connections, one request in flight each."""
    script = work / "wrk.lua"
    script.write_text(
        f'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
        f"wrk.body = [==[{json.dumps(body)}]==]\n{WRK_REPORT}"
    )
    out = subprocess.run(
        ["wrk", "-t1", "-c8", f"-d{seconds:g}s", "--timeout", "30s", "-s", str(script), url],
        capture_output=True, text=True, check=True, timeout=seconds + 60,
    ).stdout  # fmt: skip
    report = json.loads(next(ln for ln in out.splitlines() if ln.startswith("WRK "))[4:])
    ok = report["requests"] - report["non2xx"]
    return Round(
        rps=ok / (report["duration_us"] / 1e6),
        p50=report["p50"] / 1000,
        p99=report["p99"] / 1000,
        p999=report["p999"] / 1000,
        answered=report["requests"],
        failed=report["non2xx"] + report["errors"],
    )


def open_loop(url: str, body: dict, rate: float, seconds: float, work: Path) -> Round:
    """``h2load --h1 --rps``: requests leave on a fixed schedule whatever the server does, over
    ``OPEN_CONNECTIONS`` keep-alive connections started 1 ms apart, each sending every
    ``OPEN_CONNECTIONS / rate`` seconds; a stall shorter than that interval delays no arrival."""
    total = int(rate * seconds)
    data, log = work / "body.json", work / "h2load.tsv"
    data.write_text(json.dumps(body))
    log.unlink(missing_ok=True)
    command = ["h2load", "--h1", "-t1", f"-c{OPEN_CONNECTIONS}", "-r1", "--rate-period=1ms"]
    command += [f"--rps={rate / OPEN_CONNECTIONS:.3f}", f"-n{total}", "-d", str(data)]
    command += [f"--log-file={log}", "-H", "content-type: application/json", url]
    began = time.monotonic()
    subprocess.run(command, capture_output=True, check=True, timeout=seconds * 3 + 60)
    elapsed = time.monotonic() - began
    rows = [line.split("\t") for line in log.read_text().splitlines() if line]
    latencies = sorted(int(r[2]) / 1000 for r in rows if r[1] == "200")
    failed = total - len(latencies)
    if not latencies:
        return Round(0.0, 0.0, 0.0, 0.0, len(rows), failed)
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]  # noqa: E731
    answered = sum(r[1] != "-1" for r in rows)
    return Round(len(latencies) / elapsed, pick(0.5), pick(0.99), pick(0.999), answered, failed)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class BenchServer(LabServer):
    """The workspace server with its production flush and sampling intervals."""

    def env(self) -> dict[str, str]:
        env = super().env()
        del env["LAB_METRICS_FLUSH_S"], env["LAB_SAMPLER_INTERVAL_S"]
        return env


@dataclass
class Endpoints:
    """What the rounds hit: URL and body of each endpoint, and the processes behind them."""

    echo: tuple[str, dict]
    classifier: tuple[str, dict]
    mlflow: tuple[str, dict]
    server: BenchServer


@contextlib.contextmanager
def workspace(home: Path) -> Iterator[Endpoints]:
    """A workspace serving the echo model and the registered classifier (1 replica, 1 CPU each),
    and ``mlflow models serve -w 1`` on the same model version."""
    server = BenchServer(home)
    os.environ.update(MLFLOW_TRACKING_URI=server.env()["MLFLOW_TRACKING_URI"])
    model_uri = register_model(home)
    server.start()
    mlflow_port = free_port()
    env = {**server.env(), "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    mlflow_serve = subprocess.Popen(
        [sys.executable, "-m", "mlflow", "models", "serve", "-m", model_uri, "--env-manager",
         "local", "--host", "127.0.0.1", "-p", str(mlflow_port), "--workers", "1"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        client = server.client()
        files = home.parent / "bench-project"
        files.mkdir(exist_ok=True)
        (files / "echo.py").write_text(ECHO)
        project = client.create_project(name="tail", template="local", local_path=str(files))
        echo = client.create_model(project_id=project.id, name="echo")
        clf = client.create_model(
            project_id=project.id, name="BenchClf", registered_model_id="BenchClf"
        )
        builds = [
            (echo, client.create_model_build(
                project_id=project.id, model_id=echo.id, file_path="echo.py",
                function_name="predict")),
            (clf, client.create_model_build(
                project_id=project.id, model_id=clf.id,
                registered_model_version_id="BenchClf@champion")),
        ]  # fmt: skip
        for model, build in builds:
            ids = {"project_id": project.id, "model_id": model.id, "build_id": build.id}
            client.wait_for_build(**ids, timeout=300)
            dep = client.create_model_deployment(**ids, cpu=1, memory=2, replicas=1)
            client.wait_for_deployment(**ids, deployment_id=dep.id, timeout=300)
        wait_until(f"http://127.0.0.1:{mlflow_port}/ping")
        yield Endpoints(
            echo=(f"{server.url}/model", {"accessKey": echo.access_key, "request": {"x": 1}}),
            classifier=(f"{server.url}/model", CLASSIFIER_ROW | {"accessKey": clf.access_key}),
            mlflow=(f"http://127.0.0.1:{mlflow_port}/invocations", CLASSIFIER_ROW),
            server=server,
        )
    finally:
        os.killpg(mlflow_serve.pid, signal.SIGTERM)
        mlflow_serve.wait(30)
        server.stop()


@contextlib.contextmanager
def ray_serve_echo(work: Path) -> Iterator[tuple[str, dict]]:
    """Plain Ray Serve with the same echo (a 1-replica deployment behind Serve's HTTP proxy)."""
    import ray
    from ray import serve
    from starlette.requests import Request
    from workspace.serving.ray_backend import RayServeBackend
    from workspace.serving.ray_head import RayHead

    os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
    head = RayHead.start(work / "ray", cpus=2)
    try:
        backend = RayServeBackend(head.address, serve_port=free_port())

        @serve.deployment(max_ongoing_requests=8, ray_actor_options={"num_cpus": 0.5})
        class PlainEcho:
            async def __call__(self, request: Request) -> dict:
                return await request.json()

        serve.run(PlainEcho.bind(), name="plain", route_prefix="/plain")
        yield f"{backend.proxy_url}/plain", {"x": 1}
        backend.shutdown()
        ray.shutdown()
    finally:
        head.stop()


def warm(url: str, body: dict, n: int = 200) -> None:
    with requests.Session() as session:
        for _ in range(n):
            session.post(url, json=body, timeout=30).raise_for_status()


def metric_rows(home: Path) -> int:
    with contextlib.closing(sqlite3.connect(home / "workspace.db")) as db:
        return db.execute("SELECT COUNT(*) FROM prediction_metrics").fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each round")
    parser.add_argument("--rounds", type=int, default=2, help="alternated closed-loop rounds")
    parser.add_argument("--no-ray", action="store_true", help="skip the Ray Serve baseline")
    parser.add_argument("--hold", action="store_true", help="serve until Ctrl-C, print URLs")
    args = parser.parse_args()
    for tool in ("wrk", "h2load"):
        if shutil.which(tool) is None:
            sys.exit(f"error: {tool} not found: run `make setup` (bin/install-load-generators)")
    work = Path(tempfile.mkdtemp(prefix="bench-tail-"))
    home = work / "home"
    home.mkdir()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start")
    with workspace(home) as ep:
        if args.hold:
            print(json.dumps({"echo": ep.echo, "classifier": ep.classifier, "mlflow": ep.mlflow,
                              "server_pid": ep.server.process.pid}), flush=True)  # fmt: skip
            with contextlib.suppress(KeyboardInterrupt):
                signal.pause()
            return
        targets = {"ours echo": ep.echo, "ours classifier": ep.classifier, "mlflow": ep.mlflow}
        for url, body in targets.values():
            warm(url, body)
        rows_before, answered = metric_rows(home), 0
        print(f"closed loop: wrk -t1 -c8, {args.seconds:g} s x {args.rounds} alternated rounds")
        print(HEADER, flush=True)
        closed: dict[str, list[Round]] = {name: [] for name in targets}
        for i in range(args.rounds):
            for name, (url, body) in targets.items():
                closed[name].append(closed_loop(url, body, args.seconds, work))
                print(closed[name][-1].line(f"{name} #{i + 1}"), flush=True)
        print(
            f"open loop: h2load --h1 --rate at 80% of the best closed-loop rate, {args.seconds:g} s"
        )
        print(HEADER, flush=True)
        opened: dict[str, Round] = {}
        for name, (url, body) in targets.items():
            rate = 0.8 * max(r.rps for r in closed[name])
            opened[name] = open_loop(url, body, rate, args.seconds, work)
            print(opened[name].line(f"{name} @ {rate:.0f}/s"), flush=True)
        for name in ("ours echo", "ours classifier"):
            answered += sum(r.answered for r in closed[name]) + opened[name].answered
        time.sleep(2)  # two flush intervals
        written = metric_rows(home) - rows_before
    print(f"metric rows written {written} for {answered} requests answered "
          f"({'none lost' if written >= answered else f'{answered - written} LOST'})")  # fmt: skip
    if not args.no_ray:
        with ray_serve_echo(work) as (url, body):
            warm(url, body, 50)
            ray_closed = closed_loop(url, body, args.seconds, work)
            print(ray_closed.line("ray serve echo, wrk -c8"), flush=True)
            rate = 0.8 * ray_closed.rps
            print(
                open_loop(url, body, rate, args.seconds, work).line(
                    f"ray serve echo @ {rate:.0f}/s"
                )
            )
    print(f"load average {os.getloadavg()[0]:.2f} at end")


if __name__ == "__main__":
    main()
