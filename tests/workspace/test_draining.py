"""A stopped deployment drains: routing moves on first, requests already on it finish, then its
replicas stop; so a redeploy under load fails no request."""

from __future__ import annotations

import threading
import time

import requests
from lab_server import deploy


def test_redeploy_under_load_fails_no_request(server, admin, prd):
    old = deploy(admin, prd.id, "draining", file_path="models.py", function_name="slow_echo")
    ids = {"project_id": prd.id, "model_id": old.model.id, "build_id": old.build.id}
    body = {"accessKey": old.model.access_key, "request": {"sleep": 0.1}}
    answers: list[tuple[int, str | None]] = []
    done = threading.Event()

    def send_forever() -> None:
        with requests.Session() as http:
            while not done.is_set():
                response = http.post(f"{server.url}/model", json=body, timeout=30)
                answers.append((response.status_code, response.json().get("ReplicaID")))

    # More senders than the router's 8 slots per replica: some requests wait in the router too.
    load = [threading.Thread(target=send_forever) for _ in range(12)]
    for thread in load:
        thread.start()
    new = None
    try:
        time.sleep(1.0)
        new = admin.create_model_deployment(
            project_id=prd.id, model_id=old.model.id, build_id=old.build.id, cpu=0.5, memory=0.5
        )
        admin.wait_for_deployment(**ids, deployment_id=new.id, timeout=120)
        assert any(old.deployment.id in (replica or "") for _, replica in answers)
        admin.stop_model_deployment(**ids, deployment_id=old.deployment.id)
        deadline = time.monotonic() + 60
        while (
            admin.get_model_deployment(**ids, deployment_id=old.deployment.id).status != "stopped"
        ):
            assert time.monotonic() < deadline, "the old deployment did not stop"
            time.sleep(0.1)
        time.sleep(1.0)  # keep the load on the new deployment alone for a moment
    finally:
        done.set()
        for thread in load:
            thread.join(timeout=60)
        if new is not None:
            admin.stop_model_deployment(**ids, deployment_id=new.id)
    failed = [answer for answer in answers if answer[0] != 200]
    assert len(answers) > 10 and failed == []
    assert new.id in (answers[-1][1] or "")
