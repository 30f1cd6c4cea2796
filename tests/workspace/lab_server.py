"""Run the real workspace server on loopback for tests: a free port, its own LAB_HOME, and a
helper that takes a model from build to an answering deployment.

Why a subprocess and not an in-process app: the server owns replica processes, MLflow and
signal handling; tests must see exactly what `workspace up` runs.
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import requests
from workspace.client import WorkspaceClient

PRD_FILES = Path(__file__).parent / "prd_project"
CHECKOUT = Path(__file__).resolve().parents[2]
SERVING_BACKEND = os.environ.get("LAB_TEST_SERVING_BACKEND", "local")
"""The backend the suite's servers and serving tests run on: ``local``, or ``ray`` (a Ray head
the session starts); CI runs the serving and server suites once with each."""
SERVING_ENV: dict[str, str] = {}
"""Settings every test server gets for its serving backend (filled in once the Ray head is up)."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@functools.cache
def _empty_tracking_store() -> Path:
    """A SQLite MLflow store with its schema made, copied into each new server's home. Why:
    MLflow upgrades a new store's schema on first use, and two processes doing it at once fail
    ("Online migration expected to match one row"): the server warming its registry, and a
    test opening the same store right after the server answers."""
    from mlflow.tracking import MlflowClient

    folder = tempfile.mkdtemp(prefix="lab-tracking-")
    atexit.register(shutil.rmtree, folder, True)
    store = Path(folder) / "mlflow.db"
    MlflowClient(tracking_uri=f"sqlite:///{store}").search_experiments(max_results=1)
    return store


@dataclass
class RunningServer:
    """One workspace server process and how to reach it."""

    home: Path
    port: int
    env: dict[str, str]
    process: subprocess.Popen | None = None
    python: str = sys.executable
    """The interpreter the server runs on (and so every child it starts)."""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def admin_key(self) -> str:
        return json.loads((self.home / "credentials.json").read_text())["api_key"]

    def client(self, api_key: str | None = None) -> WorkspaceClient:
        return WorkspaceClient(self.url, api_key or self.admin_key, timeout=30)

    def start(self, timeout: float = 60) -> RunningServer:
        tracking = self.env.get("MLFLOW_TRACKING_URI", "")
        if tracking.startswith("sqlite:///") and not Path(tracking[10:]).exists():
            shutil.copyfile(_empty_tracking_store(), tracking[10:])
        log = (self.home / "server-test.log").open("ab")
        self.process = subprocess.Popen(
            [self.python, "-m", "workspace.server"],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {(self.home / 'server-test.log').read_text()}")
            try:
                if requests.get(f"{self.url}/api/v2/health", timeout=1).ok:
                    return self
            except (requests.ConnectionError, requests.Timeout):
                pass  # not listening yet, or still starting (joining a Ray cluster takes a while)
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("server did not answer in time")

    def stop(self) -> None:
        """SIGTERM (a clean shutdown stops replicas), SIGKILL of the group if it hangs."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def server_env(home: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAB_")}
    env.update(
        LAB_HOME=str(home),
        LAB_PORT=str(port),
        LAB_SAMPLER_INTERVAL_S="0.5",
        LAB_METRICS_FLUSH_S="0.2",
        LAB_REQUEST_TIMEOUT_S="20",
        # Projects from the checkout's test folders and from the tests' temporary folders.
        LAB_PROJECT_ROOTS=os.pathsep.join([str(CHECKOUT), str(home.parent)]),
        # A SQLite tracking store: the registry works without a tracking server process.
        MLFLOW_TRACKING_URI=f"sqlite:///{home / 'mlflow.db'}",
    )
    env.update(SERVING_ENV)
    return env


@dataclass
class Deployed:
    project_id: str
    model: object
    build: object
    deployment: object


def deploy(client: WorkspaceClient, project_id: str, name: str, **build_fields) -> Deployed:
    """Create a model, build it and deploy one small replica; wait until it answers."""
    deployment_fields = build_fields.pop("deployment", {})
    model_fields = build_fields.pop("model", {})
    model = client.create_model(project_id=project_id, name=name, **model_fields)
    build = client.create_model_build(project_id=project_id, model_id=model.id, **build_fields)
    client.wait_for_build(project_id=project_id, model_id=model.id, build_id=build.id, timeout=120)
    dep = client.create_model_deployment(
        project_id=project_id,
        model_id=model.id,
        build_id=build.id,
        **{"cpu": 0.5, "memory": 0.5, **deployment_fields},
    )
    dep = client.wait_for_deployment(
        project_id=project_id,
        model_id=model.id,
        build_id=build.id,
        deployment_id=dep.id,
        timeout=120,
    )
    return Deployed(project_id, model, build, dep)


class Browserless:
    """A signed-in console session over plain HTTP: what a script (or an attacker) can send."""

    def __init__(self, server: RunningServer, key: str) -> None:
        self.url = server.url
        self.http = requests.Session()
        form = self.http.get(f"{self.url}/signin").text
        token = re.search(r'name="signin_token" value="([^"]+)"', form)[1]
        self.signed_in = self.http.post(
            f"{self.url}/signin",
            data={"signin_token": token, "api_key": key},
            allow_redirects=False,
        )
        page = self.http.get(f"{self.url}/projects").text
        found = re.search(r'name="csrf_token" value="([^"]+)"', page)
        self.csrf = found[1] if found else ""

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.http.get(self.url + path, allow_redirects=False, **kwargs)

    def post(self, path: str, data: dict | None = None, **kwargs) -> requests.Response:
        return self.http.post(self.url + path, data=data, allow_redirects=False, **kwargs)
