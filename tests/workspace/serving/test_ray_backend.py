"""The Ray Serve backend: a deployment is a Serve application on a real Ray head, its replicas
the same model code as a local replica's, scaled in place, stopped for good, and failed with
Ray's or the model's reason."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
from lab_server import free_port
from workspace.serving.backend import REPLICA_SECRET_HEADER, DeploymentSpec, ReplicaState
from workspace.serving.ray_backend import RayServeBackend
from workspace.serving.ray_connection import serve_details
from workspace.serving.router import ModelRouter


def _spec(build_dir: Path, file_name: str, deployment_id: str, **fields) -> DeploymentSpec:
    fields = {"cpu": 0.25, "memory_gb": 0.25, **fields}
    return DeploymentSpec(
        deployment_id, build_dir, file_path=file_name, function_name="predict", **fields
    )


def _route(backend: RayServeBackend, deployment_id: str, *requests: object) -> list:
    async def run() -> list:
        router = ModelRouter(backend)
        try:
            calls = [router.forward(deployment_id, r, timeout_s=20) for r in requests]
            return await asyncio.gather(*calls)
        finally:
            await router.aclose()

    return asyncio.run(run())


def _wait_for(condition, timeout_s: float, what: str) -> float:
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < timeout_s, f"{what} not within {timeout_s} s"
        time.sleep(0.1)
    return time.monotonic() - started


def test_a_ray_replica_answers_like_a_local_one_warmed_tracked_and_in_its_environment(
    ray_backend: RayServeBackend, build_dir: Path, ready
) -> None:
    spec = _spec(build_dir, "warm.py", "ray-warm", environment={"REGION": "eu"})
    ray_backend.deploy(spec)
    try:
        [replica] = ready(ray_backend, "ray-warm", 1, timeout_s=90)
        [answer] = _route(ray_backend, "ray-warm", {"x": 1})
        assert answer.status_code == 200, answer.body
        assert answer.body["response"]["warmed_at"] is not None  # warm-up ran before "ready"
        assert answer.body["metrics"] == {"warmed": True}
        assert len(answer.body["uuid"]) == 36
        assert answer.replica_id == replica.replica_id
        assert replica.state == ReplicaState.READY
        assert replica.cpu_limit == 0.25 and replica.memory_limit_mb == 256
        config = serve_details()["ray-warm"]["deployments"]["model"]["deployment_config"]
        assert config["ray_actor_options"]["num_cpus"] == 0.25
        assert config["ray_actor_options"]["memory"] == 0.25 * 1024**3
        env = config["ray_actor_options"]["runtime_env"]["env_vars"]
        assert env["REGION"] == "eu" and env["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] == "0"
        [sample] = ray_backend.metrics("ray-warm")
        assert sample.pid == replica.pid and 20 < sample.memory_mb < 1024
    finally:
        ray_backend.stop("ray-warm")


def test_model_errors_and_bad_input_answer_as_on_a_local_replica(
    ray_backend: RayServeBackend, build_dir: Path, ready
) -> None:
    ray_backend.deploy(_spec(build_dir, "flaky.py", "ray-flaky"))
    try:
        ready(ray_backend, "ray-flaky", 1, timeout_s=90)
        ok, failed, refused = _route(
            ray_backend, "ray-flaky", {"x": 2}, {"explode": True}, {"no_x": 1}
        )
        assert ok.status_code == 200 and ok.body["response"]["doubled"] == 4.0
        assert ok.body["response"]["range"] == [0, 1, 2]  # numpy answers become JSON
        assert failed.status_code == 500
        assert "RuntimeError: the model fell over" in failed.body["message"]
        assert refused.status_code == 400 and "KeyError: x" in refused.body["message"]
    finally:
        ray_backend.stop("ray-flaky")


def test_serves_proxy_answers_only_requests_carrying_the_deployment_secret(
    ray_backend: RayServeBackend, build_dir: Path, ready
) -> None:
    ray_backend.deploy(_spec(build_dir, "echo.py", "ray-secret"))
    try:
        ready(ray_backend, "ray-secret", 1, timeout_s=90)
        [url] = ray_backend.ready_urls("ray-secret")
        assert url.startswith("http://127.0.0.1:")
        bare = httpx.post(f"{url}/predict", json={"request": 1}, timeout=10)
        wrong = httpx.post(
            f"{url}/predict", json={"request": 1}, headers={REPLICA_SECRET_HEADER: "guess"}
        )
        secret = {REPLICA_SECRET_HEADER: ray_backend.secret("ray-secret") or ""}
        right = httpx.post(f"{url}/predict", json={"request": 1}, headers=secret, timeout=10)
        assert (bare.status_code, wrong.status_code, right.status_code) == (403, 403, 200)
        assert right.json()["response"] == 1
    finally:
        ray_backend.stop("ray-secret")


def test_scale_changes_the_replica_count_in_place_and_stop_leaves_no_replica(
    ray_backend: RayServeBackend, build_dir: Path, ready
) -> None:
    ray_backend.deploy(_spec(build_dir, "echo.py", "ray-scale"))
    [first] = ready(ray_backend, "ray-scale", 1, timeout_s=90)
    ray_backend.scale("ray-scale", 2)
    both = ready(ray_backend, "ray-scale", 2, timeout_s=90)
    assert first.replica_id in {r.replica_id for r in both}, "the first replica kept serving"
    assert len(ray_backend.ready_urls("ray-scale")) == 2
    ray_backend.scale("ray-scale", 1)
    _wait_for(lambda: len(ray_backend.status("ray-scale")) == 1, 30, "scale down to 1")
    pids = [r.pid for r in both]
    ray_backend.stop("ray-scale")
    assert ray_backend.status("ray-scale") == [] and ray_backend.ready_urls("ray-scale") == []
    assert "ray-scale" not in serve_details()
    _wait_for(lambda: not any(psutil.pid_exists(p) for p in pids), 15, "replica processes gone")


def test_a_ray_replica_killed_under_load_costs_no_request_and_is_replaced(
    ray_backend: RayServeBackend, build_dir: Path, ready
) -> None:
    ray_backend.deploy(_spec(build_dir, "slow.py", "ray-kill", replicas=2))
    try:
        victim, _ = ready(ray_backend, "ray-kill", 2, timeout_s=120)

        async def load() -> list[int]:
            router = ModelRouter(ray_backend)
            statuses: list[int] = []
            stop_at = time.monotonic() + 6.0

            async def client() -> None:
                while time.monotonic() < stop_at:
                    answer = await router.forward("ray-kill", {"sleep": 0.01}, timeout_s=20)
                    statuses.append(answer.status_code)

            async def killer() -> None:
                await asyncio.sleep(1.5)
                os.kill(victim.pid, signal.SIGKILL)

            await asyncio.gather(killer(), *[client() for _ in range(8)])
            await router.aclose()
            return statuses

        statuses = asyncio.run(load())
        assert len(statuses) > 20
        assert [s for s in statuses if s != 200] == []  # lost mid-request, retried elsewhere
        _wait_for(
            lambda: (
                sum(
                    r.state == ReplicaState.READY and r.pid != victim.pid
                    for r in ray_backend.status("ray-kill")
                )
                == 2
            ),
            60,
            "a replacement replica",
        )
        assert ray_backend.status("ray-kill")[0].restarts >= 1
    finally:
        ray_backend.stop("ray-kill")


def test_a_deployment_ray_cannot_place_fails_with_rays_reason(
    ray_backend: RayServeBackend, build_dir: Path, ready
) -> None:
    ray_backend.deploy(_spec(build_dir, "echo.py", "ray-huge", cpu=64))
    try:
        took = _wait_for(
            lambda: any(r.state == ReplicaState.FAILED for r in ray_backend.status("ray-huge")),
            20,
            "the unplaceable deployment failing",
        )
        [replica] = ray_backend.status("ray-huge")
        assert "Ray cannot place a replica" in (replica.last_error or "")
        assert "64 CPU" in replica.last_error and "6 CPU" in replica.last_error
        assert took < 20
    finally:
        ray_backend.stop("ray-huge")


def test_a_broken_entry_point_fails_with_its_import_error(
    ray_backend: RayServeBackend, build_dir: Path, ready
) -> None:
    ray_backend.deploy(_spec(build_dir, "broken.py", "ray-broken"))
    try:
        _wait_for(
            lambda: any(r.state == ReplicaState.FAILED for r in ray_backend.status("ray-broken")),
            120,
            "the broken deployment failing",
        )
        [replica] = ray_backend.status("ray-broken")
        assert "missing_dependency" in (replica.last_error or "")
    finally:
        ray_backend.stop("ray-broken")


def test_an_autoscaling_deployment_runs_the_workspaces_count_and_scale_changes_it(
    ray_backend: RayServeBackend, build_dir: Path, ready
) -> None:
    """The workspace evaluates the policy on Ray too: Serve runs the count it is given (no
    autoscaling_config of its own to fight it), and the evaluator's ``scale`` changes it."""
    policy = {"type": "autoscaling", "min_replicas": 1, "max_replicas": 2, "target_inflight": 2}
    ray_backend.deploy(_spec(build_dir, "echo.py", "ray-auto", autoscaling=policy))

    def config() -> dict:
        return serve_details()["ray-auto"]["deployments"]["model"]["deployment_config"]

    try:
        ready(ray_backend, "ray-auto", 1, timeout_s=90)
        assert not config().get("autoscaling_config") and config()["num_replicas"] == 1
        ray_backend.scale("ray-auto", 2)
        ready(ray_backend, "ray-auto", 2, timeout_s=90)
        assert config()["num_replicas"] == 2
        assert ray_backend.replica_room(0.25, 0.25) >= 2
        assert ray_backend.replica_room(1000, 0.25) == 0, "no node holds 1000 CPUs"
    finally:
        ray_backend.stop("ray-auto")


def test_an_unreachable_ray_address_stops_the_server_at_start_with_one_line(
    tmp_path: Path,
) -> None:
    address = f"127.0.0.1:{free_port()}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAB_")}
    env.update(LAB_HOME=str(tmp_path), LAB_SERVING_BACKEND="ray", LAB_RAY_ADDRESS=address)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "workspace.server"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert time.monotonic() - started < 30
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert f"LAB_RAY_ADDRESS={address}" in lines[0] and "no Ray head answers" in lines[0]
