"""The MLflow tracking server the workspace starts, or the one MLFLOW_TRACKING_URI names.

Why the workspace starts one: replicas and jobs need a real tracking server (UI, registry,
artifact proxy) without the user running a second command; its SQLite store and artifacts live
under LAB_HOME so `workspace down` then `up` keeps every run and registered model.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time

from workspace.core.config import WorkspaceSettings
from workspace.processes.groups import start_in_group, stop_group


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class MlflowService:
    def __init__(self, settings: WorkspaceSettings) -> None:
        self.settings = settings
        self.process: subprocess.Popen | None = None

    @property
    def tracking_uri(self) -> str:
        return self.settings.mlflow_tracking_uri

    def start(self) -> None:
        """Start `mlflow server` unless the user gave their own or one already answers."""
        settings = self.settings
        if not settings.manages_mlflow or _listening(settings.mlflow_port):
            return
        store = settings.mlflow_dir
        (store / "artifacts").mkdir(parents=True, exist_ok=True)
        settings.logs_dir.mkdir(parents=True, exist_ok=True)
        cmd = [
            sys.executable, "-m", "mlflow", "server",
            "--backend-store-uri", f"sqlite:///{store / 'mlflow.db'}",
            "--artifacts-destination", str(store / "artifacts"),
            "--host", "127.0.0.1",
            "--port", str(settings.mlflow_port),
            "--workers", "1",
        ]  # fmt: skip
        env = dict(os.environ)
        # The job runner (GenAI scorers) starts a pool of worker processes the lab never uses.
        env.setdefault("MLFLOW_SERVER_ENABLE_JOB_EXECUTION", "false")
        self.process = start_in_group(
            cmd, cwd=store, env=env, log_path=settings.logs_dir / "mlflow.log"
        )
        (settings.lab_home / "mlflow.pid").write_text(str(self.process.pid))

    def wait_until_answering(self, stopping: threading.Event, timeout_s: float = 180) -> bool:
        """True once the server we started accepts connections (at once for a user's own
        server); False when the workspace stops first, the server died, or time ran out."""
        if not self.settings.manages_mlflow:
            return True
        deadline = time.monotonic() + timeout_s
        while not stopping.is_set() and time.monotonic() < deadline:
            if _listening(self.settings.mlflow_port):
                return True
            if self.process is not None and self.process.poll() is not None:
                return False
            stopping.wait(0.5)
        return False

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        stop_group(self.process, grace_s=10)
        (self.settings.lab_home / "mlflow.pid").unlink(missing_ok=True)
