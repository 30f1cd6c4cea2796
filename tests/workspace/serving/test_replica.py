"""The replica process: ready only when warmed, model errors answered and survived, JSON out."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from workspace.serving.backend import REPLICA_SECRET_HEADER as SECRET
from workspace.serving.backend import ReplicaState
from workspace.serving.local_backend import LocalProcessBackend


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_replica_answers_ready_only_after_warmup(build_dir: Path) -> None:
    port = _free_port()
    command = ["--build-dir", str(build_dir), "--port", str(port)]
    command += ["--file-path", "warm.py", "--function-name", "predict"]
    env = {**os.environ, "LAB_REPLICA_SECRET": "s3cret"}
    server = [sys.executable, "-m", "workspace.replica.server", *command]
    replica = subprocess.Popen(server, env=env)
    seen: list[int] = []
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and 200 not in seen:
            with contextlib.suppress(httpx.TransportError):  # not listening yet
                seen.append(httpx.get(f"http://127.0.0.1:{port}/ready").status_code)
            time.sleep(0.05)
        ready_at = time.time()
        url = f"http://127.0.0.1:{port}/predict"
        refused = httpx.post(url, json={"request": {}})
        answer = httpx.post(url, json={"request": {}}, headers={SECRET: "s3cret"}).json()
    finally:
        replica.terminate()
        replica.wait(10)
    assert 503 in seen, "the replica should say 'not ready' while it warms up"
    assert refused.status_code == 403, "a request without the deployment's secret is refused"
    assert seen[-1] == 200
    assert answer["response"]["warmed_at"] is not None
    assert answer["response"]["warmed_at"] <= ready_at
    assert answer["metrics"] == {"warmed": True}


def test_model_exception_gives_500_and_the_next_request_succeeds(deploy, backend, auth) -> None:
    [replica] = deploy("flaky.py")
    url = f"{replica.url}/predict"
    failed = httpx.post(url, json={"request": {"explode": True, "x": 1}}, headers=auth())
    assert failed.status_code == 500
    assert "the model fell over" in failed.json()["message"]
    recovered = httpx.post(url, json={"request": {"x": 21}}, headers=auth())
    assert recovered.status_code == 200
    assert recovered.json()["response"] == {"doubled": 42.0, "range": [0, 1, 2]}
    assert backend.status("dep")[0].restarts == 0


def test_bad_input_gives_400_naming_the_problem(deploy, auth) -> None:
    [replica] = deploy("flaky.py")
    missing_key = httpx.post(f"{replica.url}/predict", json={"request": {"y": 1}}, headers=auth())
    assert missing_key.status_code == 400
    assert missing_key.json()["message"] == "KeyError: x"
    not_json = httpx.post(f"{replica.url}/predict", content=b"{not json", headers=auth())
    assert not_json.status_code == 400
    assert "not JSON" in not_json.json()["message"]
    no_request = httpx.post(f"{replica.url}/predict", json={"x": 1}, headers=auth())
    assert no_request.status_code == 400


def test_the_loaded_models_heap_is_frozen_out_of_garbage_collection(deploy, auth) -> None:
    [replica] = deploy("heap.py")
    answer = httpx.post(f"{replica.url}/predict", json={"request": {}}, headers=auth())
    assert answer.json()["response"]["frozen_objects"] > 10_000


def test_answer_carries_uuid_metrics_and_replica_id(deploy, auth) -> None:
    [replica] = deploy("warm.py")
    answer = httpx.post(f"{replica.url}/predict", json={"request": {}}, headers=auth())
    body = answer.json()
    assert len(body["uuid"]) == 36
    assert body["metrics"] == {"warmed": True}
    assert answer.headers["x-replica-id"] == replica.replica_id


def test_broken_entry_point_fails_with_its_reason(backend: LocalProcessBackend, build_dir) -> None:
    from workspace.serving.backend import DeploymentSpec

    backend.deploy(DeploymentSpec("bad", build_dir, file_path="broken.py", function_name="predict"))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and backend.status("bad")[0].state != ReplicaState.FAILED:
        time.sleep(0.1)
    [replica] = backend.status("bad")
    assert replica.state == ReplicaState.FAILED
    assert "missing_dependency" in (replica.last_error or "")
    assert backend.ready_urls("bad") == []
