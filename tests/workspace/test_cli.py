"""`workspace up | status | down`: a background server with its own MLflow tracking server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import requests
from lab_server import free_port
from workspace import pid_file


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "workspace.cli", *args],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_up_starts_server_and_mlflow_prints_key_once_and_down_stops_both(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LAB_", "MLFLOW_"))}
    port, mlflow_port = free_port(), free_port()
    env.update(LAB_HOME=str(tmp_path), LAB_PORT=str(port), LAB_MLFLOW_PORT=str(mlflow_port))
    try:
        up = _cli("up", env=env)
        assert up.returncode == 0, up.stderr
        assert f"http://127.0.0.1:{port}" in up.stdout
        key = json.loads((tmp_path / "credentials.json").read_text())["api_key"]
        assert f"LAB_API_KEY={key}" in up.stdout
        assert "running" in _cli("status", env=env).stdout

        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{mlflow_port}/health", timeout=1).ok:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.5)
        else:
            raise AssertionError("the MLflow server did not come up")
        assert (tmp_path / "mlflow" / "mlflow.db").exists()

        assert _cli("down", env=env).returncode == 0
        again = _cli("up", env=env)
        assert again.returncode == 0 and key not in again.stdout  # the key is shown only once
    finally:
        _cli("down", env=env)
    assert "not running" in _cli("status", env=env).stdout
    try:
        requests.get(f"http://127.0.0.1:{mlflow_port}/health", timeout=1)
        raise AssertionError("MLflow still answers after `workspace down`")
    except requests.ConnectionError:
        pass


def test_down_never_signals_a_process_that_is_not_the_server(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LAB_", "MLFLOW_"))}
    env.update(LAB_HOME=str(tmp_path), LAB_PORT=str(free_port()))
    bystander = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(120)"], start_new_session=True
    )
    pids = tmp_path / "workspace.pid"
    try:
        for recorded in (
            str(bystander.pid),  # a bare pid, as a crash or a reboot may leave it
            json.dumps({"pid": bystander.pid, "started": 1.0}),  # a reused pid
            None,  # the right pid and start time, but not the server
        ):
            if recorded is None:
                pid_file.record(pids, bystander.pid)
            else:
                pids.write_text(recorded)
            down = _cli("down", env=env)
            assert down.returncode == 0 and "workspace is not running" in down.stdout
            assert "not running" in _cli("status", env=env).stdout
            assert bystander.poll() is None
            assert not pids.exists()  # the stale file is cleared
    finally:
        bystander.kill()
        bystander.wait(timeout=10)
