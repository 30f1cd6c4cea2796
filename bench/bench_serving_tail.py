"""Serving tail latency: the real workspace ``POST /model`` under a C load generator, beside
``mlflow models serve -w 1`` (same model version) and Ray Serve (same echo), in one run.

    .venv/bin/python bench/bench_serving_tail.py              # every figure, ~4 minutes
    .venv/bin/python bench/bench_serving_tail.py --profile    # and a py-spy profile of the server

Two load shapes, both from C programs so the generator costs little of the shared cores:

- closed loop, ``wrk -t1 -c8``: 8 keep-alive connections, each sends its next request when the
  last one is answered (what the issue's table measured);
- open loop, ``h2load --h1 --rps``: requests leave on a fixed schedule whatever the server does,
  at 80% of the closed-loop rounds' mean rate, over 64 keep-alive connections that each send
  every 64/rate s, the first 2 s not counted (connections opening).
  Why h2load: a server that stalls for 50 ms under ``wrk`` (even with a Lua pacing script) also
  stops the requests it would have been sent, so the stall hides in few samples (coordinated
  omission); h2load's ``--rps`` sends on a timer per connection and its ``--log-file`` gives every
  request's latency, so percentiles are exact. Debian has no wrk2; ``h2load --rate`` alone and
  httperf open a connection per request, which measures the server's TCP accept path instead
  (echo fell from ~500 to 184 req/s that way), and httperf reports no percentiles.

After the open loop, one round of it goes straight to the echo replica (its ``/predict``, with
its secret), no server in between: what of the tail the model process has on its own.

Then: requests answered against metric rows written (none may be lost), and an overload burst that
must end in 429 ``model.busy`` within the queue timeout, never a hang.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
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

import psutil
import requests

os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"  # before Ray is imported: stay on loopback
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_registry_endpoint import register_model, wait_until
from reliability.lab import LabServer
from serving_tail.loadgen import HEADER, WARM_UP_S, Round, burst, closed_loop, open_loop
from serving_tail.stalls import CoreWait, StallLog, Steal, profile, shares
from workspace.replica import REPLICA_SECRET_HEADER

ECHO = "def predict(args):\n    return args\n"
SLOW = "import time\n\n\ndef predict(args):\n    time.sleep(0.5)\n    return args\n"
COLUMNS = ["iot_signal_1", "iot_signal_2", "iot_signal_3", "iot_signal_4"]
CLASSIFIER_ROW = {"dataframe_split": {"columns": COLUMNS, "data": [[35.5, 200.5, 30.5, 14.5]]}}
QUEUE_TIMEOUT_S = 10.0
"""The router's queue timeout: past it a request waiting for a busy replica gets 429."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class BenchServer(LabServer):
    """The workspace server with its production flush and sampling intervals, and replicas held
    by CPU affinity but outside cgroups, as ``mlflow models serve`` and Ray run. Why: on a host
    whose other processes sit in the root cgroup, a replica's cgroup competes as one task, and the
    classifier replica answered 41-101 req/s in one against 242-614 outside it (same minute)."""

    def env(self) -> dict[str, str]:
        env = super().env()
        del env["LAB_METRICS_FLUSH_S"], env["LAB_SAMPLER_INTERVAL_S"]
        return env | {"LAB_SERVING_CGROUPS": os.environ.get("LAB_SERVING_CGROUPS", "0")}


@dataclass
class Endpoints:
    """What the rounds hit: URL and body of each endpoint, and the processes behind them."""

    echo: tuple[str, dict]
    classifier: tuple[str, dict]
    mlflow: tuple[str, dict]
    slow: tuple[str, dict]
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
        (files / "slow.py").write_text(SLOW)
        project = client.create_project(name="tail", template="local", local_path=str(files))
        echo = client.create_model(project_id=project.id, name="echo")
        slow = client.create_model(project_id=project.id, name="slow")
        clf = client.create_model(
            project_id=project.id, name="BenchClf", registered_model_id="BenchClf"
        )
        builds = [
            (echo, 1.0, client.create_model_build(
                project_id=project.id, model_id=echo.id, file_path="echo.py",
                function_name="predict")),
            (slow, 0.25, client.create_model_build(
                project_id=project.id, model_id=slow.id, file_path="slow.py",
                function_name="predict")),
            (clf, 1.0, client.create_model_build(
                project_id=project.id, model_id=clf.id,
                registered_model_version_id="BenchClf@champion")),
        ]  # fmt: skip
        for model, cpu, build in builds:
            ids = {"project_id": project.id, "model_id": model.id, "build_id": build.id}
            client.wait_for_build(**ids, timeout=300)
            dep = client.create_model_deployment(**ids, cpu=cpu, memory=2, replicas=1)
            client.wait_for_deployment(**ids, deployment_id=dep.id, timeout=300)
        wait_until(f"http://127.0.0.1:{mlflow_port}/ping")
        yield Endpoints(
            echo=(f"{server.url}/model", {"accessKey": echo.access_key, "request": {"x": 1}}),
            classifier=(f"{server.url}/model", CLASSIFIER_ROW | {"accessKey": clf.access_key}),
            mlflow=(f"http://127.0.0.1:{mlflow_port}/invocations", CLASSIFIER_ROW),
            slow=(f"{server.url}/model", {"accessKey": slow.access_key, "request": {"x": 1}}),
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

    head = RayHead.start(work / "ray", cpus=2)
    backend = None
    try:
        backend = RayServeBackend(head.address, serve_port=free_port())

        @serve.deployment(max_ongoing_requests=8, ray_actor_options={"num_cpus": 0.5})
        class PlainEcho:
            async def __call__(self, request: Request) -> dict:
                return await request.json()

        serve.run(PlainEcho.bind(), name="plain", route_prefix="/plain")
        yield f"{backend.proxy_url}/plain", {"x": 1}
    finally:
        # disconnect before the head goes, whatever happened: a driver whose cluster has gone
        # hangs in Ray's exception hook instead of ending
        if backend is not None:
            backend.shutdown()
        ray.shutdown()
        head.stop()


def warm(url: str, body: dict, n: int = 200) -> None:
    with requests.Session() as session:
        for _ in range(n):
            session.post(url, json=body, timeout=30).raise_for_status()


def cpu_seconds(pid: int) -> tuple[float, float]:
    """CPU seconds used so far by the server process and by its replicas (its descendants)."""
    server = psutil.Process(pid)
    own = sum(server.cpu_times()[:2])
    below = 0.0
    for child in server.children(recursive=True):
        with contextlib.suppress(psutil.Error):
            below += sum(child.cpu_times()[:2])
    return own, below


def replica_alone(server_pid: int, file_name: str) -> tuple[str, tuple[str, ...]]:
    """The ``/predict`` URL and secret header of the replica serving ``file_name``, to load it
    with no server in between. Why: the same open loop through the server and straight to its
    replica tells the front's share of the tail from the model process's. The secret comes from
    the replica's start-up environment, which only its own account (here, ours) can read."""
    for child in psutil.Process(server_pid).children(recursive=True):
        command = child.cmdline()
        flags = dict(itertools.pairwise(command))
        if "--port" in flags and Path(flags.get("--file-path", "")).name == file_name:
            secret = child.environ()["LAB_REPLICA_SECRET"]
            url = f"http://127.0.0.1:{flags['--port']}/predict"
            return url, (f"{REPLICA_SECRET_HEADER}: {secret}",)
    raise LookupError(f"no replica serves {file_name}")


def metric_rows(home: Path) -> int:
    with contextlib.closing(sqlite3.connect(home / "workspace.db")) as db:
        return db.execute("SELECT COUNT(*) FROM prediction_metrics").fetchone()[0]


def overload(url: str, body: dict, work: Path) -> str:
    """64 requests at once on a model that answers 2 a second: those the replica cannot reach
    within the queue timeout get 429 ``model.busy``, and every request gets an answer."""
    statuses, latencies = burst(url, body, 64, work)
    busy = [ms for status, ms in zip(statuses, latencies, strict=True) if status == 429]
    unanswered = sum(s not in (200, 429) for s in statuses)
    slowest_busy = max(busy, default=0.0) / 1000
    verdict = "ok" if busy and not unanswered and slowest_busy <= QUEUE_TIMEOUT_S + 2 else "FAIL"
    return (
        f"overload (64 at once, a 0.5 s model, 1 replica): {statuses.count(200)} answered, "
        f"{len(busy)} x 429 model.busy, the slowest 429 after {slowest_busy:.1f} s "
        f"(queue timeout {QUEUE_TIMEOUT_S:g} s), {unanswered} other -> {verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each round")
    parser.add_argument("--rounds", type=int, default=2, help="alternated closed-loop rounds")
    parser.add_argument("--no-ray", action="store_true", help="skip the Ray Serve baseline")
    parser.add_argument("--profile", action="store_true", help="py-spy the server's echo round")
    parser.add_argument("--hold", action="store_true", help="serve until Ctrl-C, print URLs")
    args = parser.parse_args()
    for tool in ("wrk", "h2load"):
        if shutil.which(tool) is None:
            sys.exit(f"error: {tool} not found: run `make setup` (bin/install-load-generators)")
    work = Path(tempfile.mkdtemp(prefix="bench-tail-"))
    home = work / "home"
    home.mkdir()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start")
    try:
        run(args, work, home)
    finally:
        if not args.profile:
            shutil.rmtree(work, ignore_errors=True)
    print(f"load average {os.getloadavg()[0]:.2f} at end")


def run(args: argparse.Namespace, work: Path, home: Path) -> tuple[dict, dict, list[Round]]:
    with workspace(home) as ep:
        if args.hold:
            print(json.dumps({"echo": ep.echo, "classifier": ep.classifier, "mlflow": ep.mlflow,
                              "server_pid": ep.server.process.pid}), flush=True)  # fmt: skip
            with contextlib.suppress(KeyboardInterrupt):
                signal.pause()
            sys.exit(0)
        targets = {"ours echo": ep.echo, "ours classifier": ep.classifier, "mlflow": ep.mlflow}
        for url, body in targets.values():
            warm(url, body)
        stalls, steal = StallLog(ep.server.home.parent / "server.log"), Steal()
        waits = CoreWait(ep.server.process.pid)

        def why(name: str) -> str:
            """What the round just run shows of where its tail came from (and starts the next
            round's count): the host's steal for every endpoint, the server's own stalls and
            waits for a core for ours."""
            seen = stalls.since_last().summary(), steal.since_last(), waits.since_last()
            return (
                f"   {seen[0]}, {seen[1]}; {seen[2]}"
                if name.startswith("ours")
                else f"   {seen[1]}"
            )

        rows_before, answered = metric_rows(home), 0
        print(f"closed loop: wrk -t1 -c8, {args.seconds:g} s x {args.rounds} alternated rounds")
        print(HEADER, flush=True)
        closed: dict[str, list[Round]] = {name: [] for name in targets}
        for i in range(args.rounds):
            for name, (url, body) in targets.items():
                spy = None
                if args.profile and i == 0 and name == "ours echo":
                    spy = profile(ep.server.process.pid, args.seconds + 1, work / "echo.pyspy")
                why(name)
                cpu_before = cpu_seconds(ep.server.process.pid)
                closed[name].append(closed_loop(url, body, args.seconds, work))
                if i == 0 and name == "ours echo":
                    front_cpu(cpu_before, cpu_seconds(ep.server.process.pid), closed[name][-1])
                print(closed[name][-1].line(f"{name} #{i + 1}") + why(name), flush=True)
                if spy is not None:
                    spy.wait(30)
        print(
            f"open loop: h2load --h1 --rps over 64 connections, at 80% of the closed-loop "
            f"rounds' mean rate, {args.seconds:g} s after {WARM_UP_S:g} s not counted"
        )
        print(HEADER, flush=True)
        opened: dict[str, list[Round]] = {name: [] for name in targets}
        for i in range(args.rounds):
            for name, (url, body) in targets.items():
                # the mean, not the best: the host lends these cores unevenly (the steal column),
                # and 80% of a lucky round's rate is the whole of an unlucky one's
                rate = 0.8 * sum(r.rps for r in closed[name]) / len(closed[name])
                why(name)
                opened[name].append(open_loop(url, body, rate, args.seconds, work))
                line = opened[name][-1].line(f"{name} @ {rate:.0f}/s #{i + 1}")
                print(line + why(name), flush=True)
        rate = 0.8 * sum(r.rps for r in closed["ours echo"]) / len(closed["ours echo"])
        try:
            url, headers = replica_alone(ep.server.process.pid, "echo.py")
            why("ours echo")
            alone = open_loop(url, {"request": ep.echo[1]["request"]}, rate, args.seconds, work,
                              headers)  # fmt: skip
            print(alone.line(f"echo replica alone @ {rate:.0f}/s") + why("ours echo"))
            print("    (the echo replica loaded straight, no server in between: its own share of "
                  "the tail)", flush=True)  # fmt: skip
        except (LookupError, OSError, psutil.Error, subprocess.SubprocessError) as exc:
            print(f"echo replica alone: not measured ({type(exc).__name__}: {exc})", flush=True)
        for name in ("ours echo", "ours classifier"):
            answered += sum(r.answered for r in closed[name] + opened[name])
        time.sleep(2)  # two flush intervals
        written = metric_rows(home) - rows_before
        lost = f"{answered - written} LOST" if written < answered else "none lost"
        print(f"metric rows written {written} for {answered} requests answered ({lost})")
        print(overload(*ep.slow, work), flush=True)
        if args.profile:
            print(f"share of the server's samples during the echo round ({work / 'echo.pyspy'}):")
            for suspect, share in shares(work / "echo.pyspy").items():
                print(f"  {suspect:<32}{share:6.1%}")
    verdicts(closed, opened)  # before the Ray baseline, whose teardown can end this process
    ray: list[Round] = []
    if not args.no_ray:
        try:
            ray = ray_baseline(closed, args.seconds, work)
        except Exception as exc:  # the baseline failing must not hide the figures above
            print(f"Ray Serve baseline failed: {type(exc).__name__}: {exc}", flush=True)
    return closed, opened, ray


def ray_baseline(closed: dict[str, list[Round]], seconds: float, work: Path) -> list[Round]:
    """Plain Ray Serve's echo, closed and open loop, beside our best echo round."""
    ray: list[Round] = []
    with ray_serve_echo(work) as (url, body):
        warm(url, body, 50)
        ray.append(closed_loop(url, body, seconds, work))
        print(ray[0].line("ray serve echo, wrk -c8"), flush=True)
        rate = 0.8 * ray[0].rps
        try:
            ray.append(open_loop(url, body, rate, seconds, work))
            print(ray[1].line(f"ray serve echo @ {rate:.0f}/s"), flush=True)
        except subprocess.TimeoutExpired as exc:
            # Serve's capacity moves between rounds (173-290 req/s here): past it, its queue grows
            # until each connection's requests take longer than the whole round may
            late = f"unfinished after {exc.timeout:.0f} s, Ray Serve fell behind the schedule"
            print(f"  ray serve echo @ {rate:.0f}/s: {late} (over its capacity of the moment)")
        echo = min(closed["ours echo"], key=lambda r: r.p99)
        print(f"echo vs Ray Serve: {echo.rps / ray[0].rps:.1f}x requests/s, "
              f"p99 {echo.p99 / ray[0].p99:.2f}x", flush=True)  # fmt: skip
    return ray


def front_cpu(before: tuple[float, float], after: tuple[float, float], echo: Round) -> None:
    """CPU per echo request in the server process against its replica: where the server costs
    more than the replica, the one server process, not replicas, is the ceiling."""
    served = echo.answered or 1
    front, replica = ((b - a) * 1e6 / served for a, b in zip(before, after, strict=True))
    verdict = (
        "for light models the one server process is the ceiling: more replicas do not lift it"
        if front > replica
        else "the replica is the ceiling: more replicas lift it"
    )
    print(f"    echo CPU per request: server process {front:.0f} us, replica {replica:.0f} us "
          f"-> {verdict}", flush=True)  # fmt: skip


def verdicts(closed: dict[str, list[Round]], opened: dict[str, list[Round]]) -> None:
    """The issue's goals, as ratios within this run (best and worst round)."""
    best = {name: min(rounds, key=lambda r: r.p99) for name, rounds in closed.items()}

    def spread(rounds: list[Round]) -> str:
        ratios = sorted(r.p99 / r.p50 for r in rounds if r.p50)
        return f"{ratios[0]:.1f}x-{ratios[-1]:.1f}x" if ratios else "no answers"

    for name in ("ours echo", "ours classifier"):
        print(f"{name}: p99/p50 at 8 connections {spread(closed[name])}, open loop "
              f"{spread(opened[name])} (goal <= 3x)")  # fmt: skip
    ours, base = best["ours classifier"], best["mlflow"]
    print(f"classifier vs mlflow models serve -w 1: {ours.rps / base.rps:.2f}x requests/s "
          f"(goal >= 3x), p99 {ours.p99 / base.p99:.2f}x (goal <= 0.25x)", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
