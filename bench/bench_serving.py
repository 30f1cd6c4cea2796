"""Serving engine benchmark: router overhead, echo requests/s, 1 vs 2 replicas, kill -9 under load.

    python bench/bench_serving.py            # every figure, ~2 minutes on 2 cores

Three roles in separate processes, so the load generator does not steal the router's CPU unseen:
this orchestrator; a *front* (``front``: a minimal Starlette app exposing ``ModelRouter.forward``
over a ``LocalProcessBackend``, the router measured in isolation from the control plane); and a
*load generator* (``load``: asyncio + aiohttp, N concurrent keep-alive connections). Baseline:
Ray Serve serving the same echo model on this machine answered 232 requests/s, p50 33 ms, at 8
concurrent requests.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

from workspace.replica import REPLICA_SECRET_HEADER

RAY_SERVE_RPS, RAY_SERVE_P50_MS = 232.0, 33.0
MODELS = {
    "echo.py": "def predict(args):\n    return args\n",
    "busy.py": (
        "import time\n\ndef predict(args):\n    end = time.perf_counter() + 0.01\n"
        "    while time.perf_counter() < end:\n        pass\n    return {'spun_ms': 10}\n"
    ),
}


def front(args: argparse.Namespace) -> None:
    """Serve POST /forward (router) and GET /replicas (backend status) for one deployment."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route
    from workspace.serving.backend import DeploymentSpec
    from workspace.serving.local_backend import LocalProcessBackend
    from workspace.serving.router import ModelRouter

    backend = LocalProcessBackend(Path(tempfile.mkdtemp(prefix="bench-serving-")))
    spec = DeploymentSpec(
        "bench", Path(args.build_dir), file_path=args.file, function_name="predict",
        replicas=args.replicas, cpu=1.0, memory_gb=1.0,
    )  # fmt: skip
    backend.deploy(spec)
    router = ModelRouter(backend)

    async def forward(request: Request) -> JSONResponse:
        payload = json.loads(await request.body())
        answer = await router.forward("bench", payload["request"], timeout_s=30)
        return JSONResponse(answer.body, status_code=answer.status_code)

    async def replicas(_: Request) -> JSONResponse:
        secret = backend.secret("bench")  # the bench calls replicas directly too
        rows = [
            {**vars(r), "state": str(r.state), "secret": secret} for r in backend.status("bench")
        ]
        return JSONResponse(rows)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        await router.aclose()

    routes = [Route("/forward", forward, methods=["POST"]), Route("/replicas", replicas)]
    app = Starlette(routes=routes, lifespan=lifespan)
    try:
        uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)
    finally:
        backend.shutdown()


async def _load(url: str, concurrency: int, seconds: float, body: bytes, secret: str) -> dict:
    import aiohttp

    latencies: list[float] = []
    failures: list[str] = []
    connector = aiohttp.TCPConnector(limit=concurrency)
    headers = {"Content-Type": "application/json", REPLICA_SECRET_HEADER: secret}
    async with aiohttp.ClientSession(connector=connector) as session:
        stop_at = time.perf_counter() + seconds

        async def client() -> None:
            while (started := time.perf_counter()) < stop_at:
                try:
                    async with session.post(url, data=body, headers=headers) as r:
                        await r.read()
                        status = r.status
                except aiohttp.ClientError as exc:
                    status = type(exc).__name__
                if status == 200:
                    latencies.append(time.perf_counter() - started)
                else:
                    failures.append(str(status))

        began = time.perf_counter()
        await asyncio.gather(*[client() for _ in range(concurrency)])
        elapsed = time.perf_counter() - began
    latencies.sort()
    pick = lambda q: latencies[int(q * (len(latencies) - 1))] * 1000 if latencies else 0.0  # noqa: E731
    return {
        "ok": len(latencies), "failed": len(failures), "failures": failures[:5],
        "rps": len(latencies) / elapsed, "p50_ms": pick(0.5), "p99_ms": pick(0.99),
    }  # fmt: skip


def load(args: argparse.Namespace) -> None:
    body = json.dumps({"request": json.loads(args.request)}).encode()
    run = asyncio.run
    try:  # the load generator should cost as little CPU as it can: it shares the cores
        import uvloop

        run = uvloop.run
    except ImportError:
        pass
    print(json.dumps(run(_load(args.url, args.concurrency, args.seconds, body, args.secret))))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Front:
    """A front process with one deployment; ``replicas()`` reads its backend's status."""

    def __init__(self, build_dir: Path, model: str, replicas: int) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, __file__, "front", "--port", str(self.port)]
        command += ["--build-dir", str(build_dir), "--file", model, "--replicas", str(replicas)]
        self.proc = subprocess.Popen(command)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if sum(r["state"] == "ready" for r in self.replicas()) == replicas:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("front did not get its replicas ready in 60 s")

    def replicas(self) -> list[dict]:
        import urllib.request

        with urllib.request.urlopen(f"{self.url}/replicas", timeout=2) as answer:
            return json.load(answer)

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(30)


def run_load(
    url: str, concurrency: int, seconds: float, request: object = None, secret: str = ""
) -> subprocess.Popen:
    command = [sys.executable, __file__, "load", "--url", url, "--concurrency", str(concurrency)]
    command += ["--seconds", str(seconds), "--request", json.dumps(request or {"x": 1})]
    command += ["--secret", secret]
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True)


def measure(
    url: str, concurrency: int, seconds: float, request: object = None, secret: str = ""
) -> dict:
    out, _ = run_load(url, concurrency, seconds, request, secret).communicate()
    return json.loads(out)


async def _in_process_overhead(rounds: int = 2000) -> tuple[float, float]:
    """p50 of ModelRouter.forward vs a direct aiohttp call to the same replica, same loop."""
    import aiohttp
    from workspace.serving.backend import DeploymentSpec
    from workspace.serving.local_backend import LocalProcessBackend
    from workspace.serving.router import ModelRouter

    build = Path(tempfile.mkdtemp(prefix="bench-build-"))
    (build / "echo.py").write_text(MODELS["echo.py"])
    backend = LocalProcessBackend(build / "serving")
    backend.deploy(DeploymentSpec("direct", build, file_path="echo.py", function_name="predict"))
    while not backend.ready_urls("direct"):
        await asyncio.sleep(0.05)
    url = backend.ready_urls("direct")[0] + "/predict"
    secret = {REPLICA_SECRET_HEADER: backend.secret("direct") or ""}
    router = ModelRouter(backend)
    direct, routed = [], []
    async with aiohttp.ClientSession() as session:
        for i in range(rounds + 200):
            started = time.perf_counter()
            async with session.post(url, data=b'{"request":{"x":1}}', headers=secret) as answer:
                json.loads(await answer.read())
            middle = time.perf_counter()
            await router.forward("direct", {"x": 1}, timeout_s=10)
            if i >= 200:  # warm connections and caches first
                direct.append(middle - started)
                routed.append(time.perf_counter() - middle)
    await router.aclose()
    backend.shutdown()
    return statistics.median(direct) * 1000, statistics.median(routed) * 1000


def main() -> None:
    build = Path(tempfile.mkdtemp(prefix="bench-build-"))
    for name, source in MODELS.items():
        (build / name).write_text(source)
    print(f"machine: {os.cpu_count()} cores; baseline Ray Serve echo {RAY_SERVE_RPS:g} req/s")

    direct_ms, routed_ms = asyncio.run(_in_process_overhead())
    overhead = routed_ms - direct_ms
    print(f"router overhead in process, p50: {overhead:.3f} ms (direct {direct_ms:.3f} ms, "
          f"via ModelRouter {routed_ms:.3f} ms; goal <= 1 ms)")  # fmt: skip

    echo = Front(build, "echo.py", 1)
    [replica] = echo.replicas()
    replica_url, secret = replica["url"] + "/predict", replica["secret"]
    direct = measure(replica_url, 1, 5, secret=secret)
    routed = measure(f"{echo.url}/forward", 1, 5)
    print(f"router overhead over HTTP (Starlette front + router), p50: "
          f"{routed['p50_ms'] - direct['p50_ms']:.3f} ms (direct {direct['p50_ms']:.3f} ms, "
          f"via front {routed['p50_ms']:.3f} ms)")  # fmt: skip
    direct8 = measure(replica_url, 8, 10, secret=secret)
    routed8 = measure(f"{echo.url}/forward", 8, 10)
    echo.stop()
    print(f"echo at 8 concurrent: direct {direct8['rps']:.0f} req/s; through router "
          f"{routed8['rps']:.0f} req/s, p50 {routed8['p50_ms']:.2f} ms, failed {routed8['failed']} "
          f"-> {routed8['rps'] / RAY_SERVE_RPS:.1f}x Ray Serve's {RAY_SERVE_RPS:g} req/s "
          f"(p50 {RAY_SERVE_P50_MS:g} ms); goal >= 5x")  # fmt: skip

    rates = []
    for replicas in (1, 2):
        busy = Front(build, "busy.py", replicas)
        rates.append(measure(f"{busy.url}/forward", 8, 10)["rps"])
        busy.stop()
    print(f"CPU-bound (10 ms) at 8 concurrent: 1 replica {rates[0]:.1f} req/s, 2 replicas "
          f"{rates[1]:.1f} req/s -> {rates[1] / rates[0]:.2f}x (goal >= 1.7x)")  # fmt: skip

    kill = Front(build, "echo.py", 2)
    victim = kill.replicas()[0]
    loader = run_load(f"{kill.url}/forward", 16, 30)
    time.sleep(10)
    os.kill(victim["pid"], signal.SIGKILL)
    killed_at = time.monotonic()
    back_s = None
    while back_s is None and time.monotonic() - killed_at < 20:
        row = next(r for r in kill.replicas() if r["replica_id"] == victim["replica_id"])
        if row["state"] == "ready" and row["pid"] != victim["pid"]:
            back_s = time.monotonic() - killed_at
        time.sleep(0.02)
    result = json.loads(loader.communicate()[0])
    kill.stop()
    back = "never" if back_s is None else f"{back_s:.2f} s"
    print(f"kill -9 of 1 of 2 replicas during 30 s at 16 concurrent: {result['ok']} ok, "
          f"{result['failed']} failed {result['failures']}, replica back in {back} "
          f"(goal: 0 failed, back <= 5 s)")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    roles = parser.add_subparsers(dest="role")
    front_args = roles.add_parser("front")
    front_args.add_argument("--port", type=int, required=True)
    front_args.add_argument("--build-dir", required=True)
    front_args.add_argument("--file", required=True)
    front_args.add_argument("--replicas", type=int, default=1)
    load_args = roles.add_parser("load")
    load_args.add_argument("--url", required=True)
    load_args.add_argument("--concurrency", type=int, default=8)
    load_args.add_argument("--seconds", type=float, default=10)
    load_args.add_argument("--request", default='{"x": 1}')
    load_args.add_argument(
        "--secret", default="", help="the replicas' secret, when called directly"
    )
    parsed = parser.parse_args()
    {"front": front, "load": load}.get(parsed.role, lambda _: main())(parsed)
