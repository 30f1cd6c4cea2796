"""Ray Serve backend benchmark, in one run on one Ray head started here (stopped by its PID).

    python bench/bench_ray_serving.py          # every figure, ~4 minutes on 2 cores

The same echo model under the same closed-loop load (8 concurrent keep-alive connections):

- ``local``: our router + a local replica process (a front process around ``ModelRouter``);
- ``ray``: the same front and router over ``RayServeBackend`` (router → Serve's proxy → replica);
- ``serve``: plain Ray Serve, a minimal echo deployment called straight through its HTTP proxy;
- ``proxy`` / ``handle``: our Serve replica called through the proxy, or through a
  ``DeploymentHandle`` from a driver: the two ways ``POST /model`` could reach a Ray replica.

Then, on the Ray backend: create deployment → first answer; a CPU-bound model at 1 and 2
replicas; kill -9 of one of two replicas under load. Every role runs in its own process, so the
load generator's CPU shows. Figures are ratios within this run: the machine is shared.

One run on a shared, saturated 2-core machine: plain Serve 149 req/s (p50 50 ms); our router +
local replica 0.84x (p50 1.11x); our router + Ray backend 0.36x (p50 2.7x); our Serve replica via
proxy 0.65x, via handle 1.28x; first answer 8.1 s; CPU-bound 1 -> 2 Ray replicas 1.17x; kill -9
of one of two Ray replicas under load: 0 of 1554 requests failed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"  # every Ray process, drivers included
MODELS = {
    "echo.py": "def predict(args):\n    return args\n",
    "busy.py": (
        "import time\n\ndef predict(args):\n    end = time.perf_counter() + 0.01\n"
        "    while time.perf_counter() < end:\n        pass\n    return {'spun_ms': 10}\n"
    ),
}
CONCURRENCY, SECONDS = 8, 10.0


def _spec(build_dir: str, model: str, replicas: int):
    from workspace.serving.backend import DeploymentSpec

    return DeploymentSpec(
        "bench", Path(build_dir), file_path=model, function_name="predict",
        replicas=replicas, cpu=0.5, memory_gb=0.5,
    )  # fmt: skip


def front(args: argparse.Namespace) -> None:
    """Serve POST /forward (our router) and GET /replicas over the chosen backend."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route
    from workspace.serving.router import ModelRouter

    if args.backend == "ray":
        from workspace.serving.ray_backend import RayServeBackend

        backend = RayServeBackend(args.ray_address, serve_port=args.serve_port)
    else:
        from workspace.serving.local_backend import LocalProcessBackend

        backend = LocalProcessBackend(Path(tempfile.mkdtemp(prefix="bench-ray-local-")))
    backend.deploy(_spec(args.build_dir, args.file, args.replicas))
    router = ModelRouter(backend)

    async def forward(request: Request) -> JSONResponse:
        payload = json.loads(await request.body())
        answer = await router.forward("bench", payload["request"], timeout_s=30)
        return JSONResponse(answer.body, status_code=answer.status_code)

    async def replicas(_: Request) -> JSONResponse:
        rows = [{**vars(r), "state": str(r.state)} for r in backend.status("bench")]
        return JSONResponse(rows)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        await router.aclose()

    routes = [Route("/forward", forward, methods=["POST"]), Route("/replicas", replicas)]
    try:
        uvicorn.run(
            Starlette(routes=routes, lifespan=lifespan),
            host="127.0.0.1", port=args.port, log_level="warning", access_log=False,
        )  # fmt: skip
    finally:
        backend.shutdown()


async def _load(url: str, seconds: float, body: bytes, headers: dict[str, str]) -> dict:
    import aiohttp

    latencies: list[float] = []
    failures: list[str] = []
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=CONCURRENCY)) as s:
        stop_at = time.perf_counter() + seconds

        async def client() -> None:
            while (started := time.perf_counter()) < stop_at:
                try:
                    async with s.post(url, data=body, headers=headers) as answer:
                        await answer.read()
                        status = answer.status
                except aiohttp.ClientError as exc:
                    status = type(exc).__name__
                if status == 200:
                    latencies.append(time.perf_counter() - started)
                else:
                    failures.append(str(status))

        began = time.perf_counter()
        await asyncio.gather(*[client() for _ in range(CONCURRENCY)])
        elapsed = time.perf_counter() - began
    return _summary(latencies, failures, elapsed)


async def _handle_load(app: str, seconds: float, body: bytes) -> dict:
    from ray import serve

    handle = serve.get_app_handle(app)
    latencies: list[float] = []
    failures: list[str] = []
    stop_at = time.perf_counter() + seconds

    async def client() -> None:
        while (started := time.perf_counter()) < stop_at:
            try:
                status, _ = await handle.predict.remote(body)
            except Exception as exc:  # a replica gone mid-call
                status = type(exc).__name__
            if status == 200:
                latencies.append(time.perf_counter() - started)
            else:
                failures.append(str(status))

    began = time.perf_counter()
    await asyncio.gather(*[client() for _ in range(CONCURRENCY)])
    return _summary(latencies, failures, time.perf_counter() - began)


def _summary(latencies: list[float], failures: list[str], elapsed: float) -> dict:
    latencies.sort()
    pick = lambda q: latencies[int(q * (len(latencies) - 1))] * 1000 if latencies else 0.0  # noqa: E731
    return {
        "ok": len(latencies), "failed": len(failures), "failures": sorted(set(failures))[:5],
        "rps": len(latencies) / elapsed, "p50_ms": pick(0.5), "p99_ms": pick(0.99),
    }  # fmt: skip


def load(args: argparse.Namespace) -> None:
    body = json.dumps(json.loads(args.body)).encode()
    headers = {"Content-Type": "application/json", **json.loads(args.headers)}
    if args.handle:
        import ray

        ray.init(address=args.ray_address, log_to_driver=False, logging_level="WARNING")
        print(json.dumps(asyncio.run(_handle_load(args.handle, args.seconds, body))))
        return
    print(json.dumps(asyncio.run(_load(args.url, args.seconds, body, headers))))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Front:
    """A front process with one deployment on one backend; ``replicas()`` reads its status."""

    def __init__(self, backend: str, build: Path, model: str, replicas: int, ray: str) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, __file__, "front", "--port", str(self.port), "--backend"]
        command += [backend, "--build-dir", str(build), "--file", model]
        command += ["--replicas", str(replicas), "--ray-address", ray]
        command += ["--serve-port", str(SERVE_PORT)]
        self.started = time.monotonic()
        self.proc = subprocess.Popen(command)
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError, ValueError):
                if sum(r["state"] == "ready" for r in self.replicas()) >= replicas:
                    return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{backend} front did not get {replicas} replicas ready")

    def replicas(self) -> list[dict]:
        import urllib.request

        with urllib.request.urlopen(f"{self.url}/replicas", timeout=5) as answer:
            return json.load(answer)

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def run_load(target: str, seconds: float, *, body: object, headers=None, ray="", handle=""):
    command = [sys.executable, __file__, "load", "--url", target, "--seconds", str(seconds)]
    command += ["--body", json.dumps(body), "--headers", json.dumps(headers or {})]
    command += ["--ray-address", ray, "--handle", handle]
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True)


def measure(target: str, **options) -> dict:
    out, _ = run_load(target, options.pop("seconds", SECONDS), **options).communicate()
    return json.loads(out)


def _line(name: str, result: dict, base: dict) -> str:
    return (
        f"  {name:<34} {result['rps']:7.1f} req/s ({result['rps'] / base['rps']:5.2f}x)  "
        f"p50 {result['p50_ms']:7.2f} ms ({result['p50_ms'] / base['p50_ms']:5.2f}x)  "
        f"p99 {result['p99_ms']:7.2f} ms ({result['p99_ms'] / base['p99_ms']:5.2f}x)  "
        f"failed {result['failed']}"
    )


SERVE_PORT = _free_port()


def main() -> None:
    import ray
    from ray import serve
    from starlette.requests import Request
    from workspace.serving.ray_backend import RayServeBackend
    from workspace.serving.ray_head import RayHead

    build = Path(tempfile.mkdtemp(prefix="bench-ray-build-"))
    for name, source in MODELS.items():
        (build / name).write_text(source)
    head = RayHead.start(Path(tempfile.mkdtemp(prefix="ray-")), cpus=2)
    try:
        print(f"machine: {os.cpu_count()} cores; Ray head {head.address}, 2 CPUs")
        backend = RayServeBackend(head.address, serve_port=SERVE_PORT)

        @serve.deployment(max_ongoing_requests=8, ray_actor_options={"num_cpus": 0.5})
        class PlainEcho:
            async def __call__(self, request: Request) -> dict:
                return await request.json()

        serve.run(PlainEcho.bind(), name="plain", route_prefix="/plain")
        plain = measure(f"{backend.proxy_url}/plain", body={"x": 1})
        serve.delete("plain")

        backend.deploy(_spec(str(build), "echo.py", 1))
        while not backend.ready_urls("bench"):
            time.sleep(0.1)
        secret = {"X-Lab-Replica-Secret": backend.secret("bench") or ""}
        via_proxy = measure(
            backend.ready_urls("bench")[0] + "/predict", body={"request": {"x": 1}}, headers=secret
        )
        via_handle = measure("", body={"request": {"x": 1}}, ray=head.address, handle="bench")
        backend.stop("bench")

        started = time.monotonic()
        backend.deploy(_spec(str(build), "echo.py", 1))
        while not backend.ready_urls("bench"):
            time.sleep(0.05)
        first_answer_s = time.monotonic() - started
        backend.stop("bench")
        backend.shutdown()
        ray.shutdown()

        local_front = Front("local", build, "echo.py", 1, head.address)
        local = measure(f"{local_front.url}/forward", body={"request": {"x": 1}})
        local_front.stop()
        ray_front = Front("ray", build, "echo.py", 1, head.address)
        ours = measure(f"{ray_front.url}/forward", body={"request": {"x": 1}})
        ray_front.stop()

        print(f"echo, {CONCURRENCY} concurrent, {SECONDS:g} s each; ratios to plain Ray Serve:")
        print(_line("plain Ray Serve (HTTP proxy)", plain, plain))
        print(_line("our router + local replica", local, plain))
        print(_line("our router + Ray backend", ours, plain))
        print(_line("our Serve replica via proxy", via_proxy, plain))
        print(_line("our Serve replica via handle", via_handle, plain))
        print(f"Ray backend create deployment -> first answer: {first_answer_s:.1f} s")

        rates = []
        for replicas in (1, 2):
            busy = Front("ray", build, "busy.py", replicas, head.address)
            rates.append(measure(f"{busy.url}/forward", body={"request": {}})["rps"])
            busy.stop()
        print(f"CPU-bound (10 ms) on Ray, {CONCURRENCY} concurrent: 1 replica {rates[0]:.1f} "
              f"req/s, 2 replicas {rates[1]:.1f} req/s -> {rates[1] / rates[0]:.2f}x")  # fmt: skip

        kill = Front("ray", build, "echo.py", 2, head.address)
        victim = kill.replicas()[0]
        loader = run_load(f"{kill.url}/forward", 30, body={"request": {"x": 1}})
        time.sleep(10)
        os.kill(victim["pid"], signal.SIGKILL)
        killed_at, back_s = time.monotonic(), None
        while back_s is None and time.monotonic() - killed_at < 20:
            rows = kill.replicas()
            if sum(r["state"] == "ready" and r["pid"] != victim["pid"] for r in rows) >= 2:
                back_s = time.monotonic() - killed_at
            time.sleep(0.05)
        result = json.loads(loader.communicate()[0])
        kill.stop()
        back = "never" if back_s is None else f"{back_s:.1f} s"
        print(f"kill -9 of 1 of 2 Ray replicas during 30 s at {CONCURRENCY} concurrent: "
              f"{result['ok']} ok, {result['failed']} failed {result['failures']}, "
              f"2 replicas ready again after {back}")  # fmt: skip
    finally:
        head.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    roles = parser.add_subparsers(dest="role")
    front_args = roles.add_parser("front")
    front_args.add_argument("--port", type=int, required=True)
    front_args.add_argument("--backend", choices=["local", "ray"], required=True)
    front_args.add_argument("--build-dir", required=True)
    front_args.add_argument("--file", required=True)
    front_args.add_argument("--replicas", type=int, default=1)
    front_args.add_argument("--ray-address", default="")
    front_args.add_argument("--serve-port", type=int, default=0)
    load_args = roles.add_parser("load")
    load_args.add_argument("--url", default="")
    load_args.add_argument("--seconds", type=float, default=SECONDS)
    load_args.add_argument("--body", default='{"x": 1}')
    load_args.add_argument("--headers", default="{}")
    load_args.add_argument("--ray-address", default="")
    load_args.add_argument("--handle", default="")
    parsed = parser.parse_args()
    {"front": front, "load": load}.get(parsed.role, lambda _: main())(parsed)
