"""Shared fixtures: one temporary LAB_HOME and one Spark session per test run.

Why session-scoped: a Spark JVM with Iceberg and Sedona takes ~15 s to start; every Spark test
shares it, and every test writes under the same throw-away LAB_HOME so nothing touches a user's lab.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

_LAB_HOME_DIR = None


def pytest_configure(config: pytest.Config) -> None:
    # Set before any lab module reads its settings, so imports during collection see it too.
    global _LAB_HOME_DIR
    import tempfile

    _LAB_HOME_DIR = tempfile.mkdtemp(prefix="lab-test-")
    os.environ["LAB_HOME"] = _LAB_HOME_DIR
    os.environ.setdefault("MLFLOW_TRACKING_URI", f"sqlite:///{Path(_LAB_HOME_DIR, 'mlflow.db')}")
    os.environ.setdefault("LAB_SPARK_DRIVER_MEMORY", "2g")
    os.environ.setdefault("NUMBA_CACHE_DIR", str(Path(_LAB_HOME_DIR, "numba-cache")))


def pytest_unconfigure(config: pytest.Config) -> None:
    import shutil

    if _LAB_HOME_DIR:
        shutil.rmtree(_LAB_HOME_DIR, ignore_errors=True)


@pytest.fixture(scope="session")
def lab_home() -> Path:
    return Path(os.environ["LAB_HOME"])


@pytest.fixture(scope="session")
def spark(lab_home: Path) -> Iterator[object]:
    """The one Spark session of the run (local[2], Iceberg + Sedona)."""
    os.environ.setdefault("SPARK_MASTER", "local[2]")
    from logistics.lakehouse import spark_session
    from logistics.settings import get_settings

    get_settings.cache_clear()
    session = spark_session("lab-tests")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def ensure_fleet(spark):
    """Make ``logistics.fleet_telemetry`` (and its ground truth, zones) hold exactly ``spec``.

    Test modules call it in their own fixtures; the tables are rewritten only when another module
    left a different fleet behind, so modules stay independent without paying for every write.
    """
    from logistics.datagen import WriteMode, write_fleet
    from logistics.fleet import FleetSpec
    from logistics.lakehouse import TableNotFound, load_table

    def ensure(spec: FleetSpec):
        try:
            snapshot = load_table("fleet_telemetry").current_snapshot()
            summary = snapshot.summary if snapshot else None
            wanted = {
                "lab.seed": str(spec.seed),
                "lab.devices": str(spec.devices),
                "lab.days": str(spec.days),
                "lab.start": spec.start.isoformat(),
            }
            if (
                summary is not None
                and all(summary.get(k) == v for k, v in wanted.items())
                and snapshot.parent_snapshot_id is None
            ):
                return snapshot.snapshot_id
        except TableNotFound:
            pass
        return write_fleet(spark, spec, WriteMode.REPLACE).snapshot_id

    return ensure


# The workspace server helpers (tests/workspace/lab_server.py) serve the end-to-end tests too.
sys.path.insert(0, str(Path(__file__).parent / "workspace"))


@pytest.fixture(scope="session")
def lab_server(lab_home: Path):
    """A workspace server on the run's own LAB_HOME, so replicas and jobs see the same lakehouse
    and MLflow store as the test process."""
    from lab_server import RunningServer, free_port, server_env

    port = free_port()
    env = server_env(lab_home, port)
    env["MLFLOW_TRACKING_URI"] = os.environ["MLFLOW_TRACKING_URI"]
    running = RunningServer(lab_home, port, env).start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def script_env(lab_server) -> dict[str, str]:
    """The environment a numbered script gets when it runs as a job of this workspace."""
    return {
        **os.environ,
        "LAB_API_URL": lab_server.url,
        "LAB_API_KEY": lab_server.admin_key,
        "PYTHONUNBUFFERED": "1",
    }


@pytest.fixture(scope="session")
def run_step(script_env):
    """Run a numbered script as a user would; fail the test with its output when it fails."""
    import subprocess

    root = Path(__file__).resolve().parents[1]

    def run(script: str, *flags: str, expect: int = 0, timeout: float = 300) -> str:
        result = subprocess.run(
            [sys.executable, str(root / script), *flags],
            capture_output=True,
            text=True,
            env=script_env,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            cwd=root / Path(script).parent,
        )
        output = result.stdout + result.stderr
        assert result.returncode == expect, (
            f"{script} exited {result.returncode}:\n{output[-4000:]}"
        )
        return output

    return run


@pytest.fixture(scope="session")
def ray_head() -> Iterator[object]:
    """One Ray head on loopback for the run, stopped by its PID at the end.

    Its 6 CPUs and 16 GB are what Ray schedules by, not what it takes: the PRD steps ask 1 CPU
    and 2 GB a replica, as CML's defaults do, and their tests hold up to 5 replicas at once
    (a redeploy starts the new ones before it stops the old)."""
    import shutil
    import tempfile

    from workspace.serving.ray_head import RayHead

    folder = Path(tempfile.mkdtemp(prefix="ray-"))  # short: Ray's socket paths have a limit
    head = RayHead.start(folder, cpus=6, memory_bytes=16 * 1024**3)
    yield head
    head.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def serving_backend_of_servers(request: pytest.FixtureRequest) -> None:
    """With LAB_TEST_SERVING_BACKEND=ray every test server serves on Ray Serve on the run's head."""
    import lab_server

    if lab_server.SERVING_BACKEND != "ray":
        return
    head = request.getfixturevalue("ray_head")
    lab_server.SERVING_ENV.update(
        LAB_SERVING_BACKEND="ray",
        LAB_RAY_ADDRESS=head.address,
        LAB_RAY_SERVE_PORT=str(lab_server.free_port()),
        RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER="0",
    )
