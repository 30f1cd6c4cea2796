"""Fixtures for the serving engine: small model files in a temp build folder, a local backend
whose replicas are real processes, and a helper to wait for them.

Why real processes: what the serving tests specify (warm-up before readiness, restarts after
kill -9, memory kills, CPU pinning, no orphans) only exists with real processes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from lab_server import SERVING_BACKEND, free_port
from workspace.serving.backend import (
    REPLICA_SECRET_HEADER,
    DeploymentSpec,
    ReplicaStatus,
    ServingBackend,
)
from workspace.serving.local_backend import LocalProcessBackend
from workspace.serving.ray_backend import RayServeBackend
from workspace.serving.ray_head import RayHead

MODELS = {
    "echo.py": """
def predict(args):
    return args
""",
    "heap.py": """
import gc

def predict(args):
    return {"frozen_objects": gc.get_freeze_count()}
""",
    "warm.py": """
import time
from workspace.model_api import track_metric

WARMED_AT = None

def warmup():
    global WARMED_AT
    time.sleep(1.5)
    WARMED_AT = time.time()

def predict(args):
    track_metric("warmed", WARMED_AT is not None)
    return {"warmed_at": WARMED_AT}
""",
    "flaky.py": """
import numpy as np

def predict(args):
    if args.get("explode"):
        raise RuntimeError("the model fell over")
    return {"doubled": np.float64(args["x"]) * 2, "range": np.arange(3)}
""",
    "slow.py": """
import time

def predict(args):
    time.sleep(args.get("sleep", 0.05))
    return {"slept": args.get("sleep", 0.05)}
""",
    "hog.py": """
HELD = []

def predict(args):
    HELD.append(b"x" * (args["mb"] * 1024 * 1024))  # touched pages, so they count as resident
    return {"held_mb": sum(len(b) for b in HELD) // 2**20}
""",
    "busy.py": """
import time

def predict(args):
    end = time.perf_counter() + args.get("seconds", 0.01)
    while time.perf_counter() < end:
        pass
    return {"spun": args.get("seconds", 0.01)}
""",
    "spawner.py": """
import subprocess, sys

CHILD = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])

def predict(args):
    return {"child_pid": CHILD.pid}
""",
    "broken.py": """
raise ImportError("no module named 'missing_dependency'")
""",
}


@pytest.fixture
def build_dir(tmp_path: Path) -> Path:
    """A build snapshot holding every test model."""
    directory = tmp_path / "build"
    directory.mkdir()
    for name, source in MODELS.items():
        (directory / name).write_text(source.lstrip())
    return directory


@pytest.fixture
def backend(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[ServingBackend]:
    """The backend the suite runs on (LAB_TEST_SERVING_BACKEND): local processes, or the run's
    Ray Serve backend with every deployment the test made deleted afterwards."""
    if SERVING_BACKEND == "ray":
        ray = request.getfixturevalue("ray_backend")
        yield ray
        for deployment_id in list(ray._specs):
            ray.stop(deployment_id)
        return
    serving = LocalProcessBackend(tmp_path / "serving")
    yield serving
    serving.shutdown()


@pytest.fixture(scope="session")
def ray_backend(ray_head: RayHead) -> Iterator[RayServeBackend]:
    """This test process joined to the run's Ray head as a driver, Serve's proxy on loopback."""
    serving = RayServeBackend(ray_head.address, serve_port=free_port())
    yield serving
    serving.shutdown()


@pytest.fixture
def deploy(backend: ServingBackend, build_dir: Path) -> Callable[..., list[ReplicaStatus]]:
    """Deploy a model file and wait until ``replicas`` of it are ready; answers their status."""

    def _deploy(
        file_name: str, *, deployment_id: str = "dep", replicas: int = 1, **resources: float
    ) -> list[ReplicaStatus]:
        spec = DeploymentSpec(
            deployment_id,
            build_dir,
            file_path=file_name,
            function_name="predict",
            replicas=replicas,
            cpu=resources.get("cpu", 1.0),
            memory_gb=resources.get("memory_gb", 0.5),
        )
        backend.deploy(spec)
        return wait_ready(backend, deployment_id, replicas)

    return _deploy


@pytest.fixture
def auth(backend: LocalProcessBackend) -> Callable[..., dict[str, str]]:
    """``auth(deployment_id="dep")``: the header a request needs for the replicas to answer."""

    def _auth(deployment_id: str = "dep") -> dict[str, str]:
        return {REPLICA_SECRET_HEADER: backend.secret(deployment_id) or ""}

    return _auth


@pytest.fixture(scope="session")
def ready() -> Callable[..., list[ReplicaStatus]]:
    """``ready(backend, deployment_id, count, timeout_s=30)``: wait for ready replicas."""
    return wait_ready


def wait_ready(
    backend: ServingBackend, deployment_id: str, count: int, timeout_s: float | None = None
) -> list[ReplicaStatus]:
    """Block until ``count`` replicas are ready; fail with their state and log tails if not.
    Ray replicas get longer by default: each starts a Ray worker process on a shared head."""
    timeout_s = timeout_s or (90.0 if SERVING_BACKEND == "ray" else 30.0)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if len(backend.ready_urls(deployment_id)) >= count:
            return backend.status(deployment_id)
        time.sleep(0.05)
    raise AssertionError(f"replicas not ready in {timeout_s} s: {backend.status(deployment_id)}")
