"""A throw-away workspace on loopback, the identities the harness acts as, and one model to hit.

Why its own server: a harness that restarts and kills parts of the workspace must own every
process it touches, on its own LAB_HOME and port, and leave nothing running when it ends.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import requests
from workspace.client import WorkspaceClient

MODEL = '''"""The harness's model: echoes its input and tracks one metric per prediction."""
import cdsw


@cdsw.model_metrics
def predict(args):
    cdsw.track_metric("echoed", 1)
    return {"echo": args}
'''


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LabServer:
    """One ``python -m workspace.server`` process on a free port with its own LAB_HOME."""

    home: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def admin_key(self) -> str:
        return json.loads((self.home / "credentials.json").read_text())["api_key"]

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LAB_")}
        env.update(
            LAB_HOME=str(self.home),
            LAB_PORT=str(self.port),
            LAB_PROJECT_ROOTS=str(self.home.parent),
            LAB_METRICS_FLUSH_S="0.2",
            LAB_SAMPLER_INTERVAL_S="1",
            MLFLOW_TRACKING_URI=f"sqlite:///{self.home / 'mlflow.db'}",
        )
        return env

    def start(self, timeout_s: float = 60) -> float:
        """Start the server; the seconds until its health check answered."""
        began = time.monotonic()
        log = (self.home.parent / "server.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "workspace.server"],
            env=self.env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        while time.monotonic() - began < timeout_s:
            if self.process.poll() is not None:
                raise SystemExit(f"error: the workspace server exited; see {log.name}")
            try:
                if requests.get(f"{self.url}/api/v2/health", timeout=1).ok:
                    return time.monotonic() - began
            except requests.ConnectionError:
                time.sleep(0.05)
        self.stop()
        raise SystemExit(f"error: the workspace server did not answer in {timeout_s:.0f} s")

    def stop(self) -> None:
        """SIGTERM, as ``workspace down`` sends it; SIGKILL of the group if it hangs."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def rss_mb(self) -> float:
        """The server process's resident memory (its replicas are counted on their own)."""
        assert self.process is not None
        return psutil.Process(self.process.pid).memory_info().rss / 1024**2

    def client(self, api_key: str | None = None) -> WorkspaceClient:
        return WorkspaceClient(self.url, api_key or self.admin_key, timeout=30)


@dataclass
class Lab:
    """The identities and the model the harness uses."""

    server: LabServer
    keys: dict[str, str | None]
    """``admin``, ``viewer`` (of the project), ``outsider`` (no role in it), ``none`` (no key)."""
    project_id: str
    model_id: str
    build_id: str
    deployment_id: str
    deployment_crn: str
    access_key: str

    @property
    def model_url(self) -> str:
        return f"{self.server.url}/model"


def prepare(server: LabServer) -> Lab:
    """Users, a project whose viewer and outsider differ, and one echo model deployed."""
    admin = server.client()
    files = server.home.parent / "harness-project"
    files.mkdir(exist_ok=True)
    (files / "echo.py").write_text(MODEL)
    project = admin.create_project(name="harness", template="local", local_path=str(files))
    keys: dict[str, str | None] = {"admin": server.admin_key, "none": None}
    for name in ("viewer", "outsider"):
        keys[name] = admin.create_user(name).api_key
    admin.add_project_collaborator(project_id=project.id, username="viewer", permission="viewer")
    model = admin.create_model(project_id=project.id, name="harness-echo")
    build = admin.create_model_build(
        project_id=project.id, model_id=model.id, file_path="echo.py", function_name="predict"
    )
    ids = {"project_id": project.id, "model_id": model.id, "build_id": build.id}
    admin.wait_for_build(**ids, timeout=120)
    dep = admin.create_model_deployment(**ids, cpu=0.5, memory=0.5, replicas=2)
    dep = admin.wait_for_deployment(**ids, deployment_id=dep.id, timeout=120)
    return Lab(server, keys, project.id, model.id, build.id, dep.id, dep.crn, model.access_key)


def answers(lab: Lab, timeout_s: float = 2.0) -> bool:
    """True when the model answers one request with a prediction."""
    body = {"accessKey": lab.access_key, "request": {"probe": 1}}
    try:
        response = requests.post(lab.model_url, json=body, timeout=timeout_s)
    except requests.RequestException:
        return False
    return response.status_code == 200 and response.json().get("success") is True
