"""One user's deployment cannot harm another's, and what a build or deployment runs acts with
its creator's key, which ends with it: against the real server and its real replicas."""

from __future__ import annotations

import signal
import sqlite3
import time
from pathlib import Path

import psutil
import pytest
import requests
from lab_server import deploy

BAD_ENVIRONMENTS = [
    ({"A": "x\u0000y"}, "A holds a NUL byte"),
    ({"A": 1}, "A must be a string"),
    ({"A": None}, "A must be a string"),
    ({"LAB_API_KEY": "k"}, "LAB_API_KEY is set by the platform"),
    ({"LAB_DATABASE_URL": "sqlite://"}, "LAB_DATABASE_URL is set by the platform"),
    ({"LAB_REPLICA_HOST": "0.0.0.0"}, "LAB_REPLICA_HOST is set by the platform"),
    ({"CDSW_APIV2_KEY": "k"}, "CDSW_APIV2_KEY is set by the platform"),
    ({"LD_PRELOAD": "/tmp/x.so"}, "LD_PRELOAD is set by the platform"),
    ({"PYTHONPATH": "/tmp"}, "PYTHONPATH is set by the platform"),
    ({"": "x"}, "a variable name is empty"),
    ({"A=B": "x"}, "'A=B' is not a valid name"),
]


def _deployments(server, tracked_model) -> str:
    return (
        f"{server.url}/api/v2/projects/{tracked_model.project_id}/models/"
        f"{tracked_model.model.id}/builds/{tracked_model.build.id}/deployments"
    )


def _keys_of(server, column: str, value: str) -> int:
    with sqlite3.connect(server.home / "workspace.db") as db:
        return db.execute(f"SELECT count(*) FROM api_keys WHERE {column} = ?", (value,)).fetchone()[
            0
        ]


@pytest.mark.parametrize(("environment", "reason"), BAD_ENVIRONMENTS)
def test_a_deployment_environment_that_cannot_reach_a_replica_is_refused_naming_it(
    server, tracked_model, environment, reason
) -> None:
    path = _deployments(server, tracked_model)
    auth = {"Authorization": f"Bearer {server.admin_key}"}
    before = requests.get(path, headers=auth, timeout=10).json()["model_deployments"]
    answer = requests.post(path, json={"environment": environment}, headers=auth, timeout=10)
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert reason in body["message"] and "\n" not in body["message"]
    assert body["code"] == 3  # INVALID_ARGUMENT, CML's error body
    after = requests.get(path, headers=auth, timeout=10).json()["model_deployments"]
    assert len(after) == len(before), "a refused deployment leaves no row behind"


def test_a_models_own_variables_are_still_accepted(admin, prd) -> None:
    served = deploy(
        admin,
        prd.id,
        "snapshot",
        file_path="models.py",
        function_name="echo",
        deployment={"environment": {"LAB_SNAPSHOT_ID": "7", "MODE": "x=1"}},
    )
    assert served.deployment.environment == {"LAB_SNAPSHOT_ID": "7", "MODE": "x=1"}


def test_replicas_answer_only_the_router(server, admin, tracked_model) -> None:
    [replica] = admin.list_model_replicas(
        project_id=tracked_model.project_id,
        model_id=tracked_model.model.id,
        build_id=tracked_model.build.id,
        deployment_id=tracked_model.deployment.id,
    ).replicas
    direct = requests.post(f"{_replica_url(replica.id)}/predict", json={"request": {}}, timeout=10)
    assert direct.status_code == 403
    assert admin.call_model(tracked_model.model.access_key, {"a": 1})["success"] is True


def _replica_process(replica_id: str) -> psutil.Process:
    """The process serving ``replica_id`` (the API does not show pids)."""
    for proc in psutil.process_iter(["cmdline"]):
        cmdline = proc.info["cmdline"] or []
        if "workspace.replica.server" in cmdline and replica_id in cmdline:
            return proc
    raise AssertionError(f"no process serves {replica_id}")


def _replica_url(replica_id: str) -> str:
    [port] = [
        c.laddr.port
        for c in _replica_process(replica_id).net_connections("inet")
        if c.status == "LISTEN"
    ]
    return f"http://127.0.0.1:{port}"


DIES_AFTER_FIRST_START = """
import os
from pathlib import Path

MARK = Path("started-once")
if "LAB_MODEL_DEPLOYMENT_CRN" in os.environ:  # a replica, not the build's import check
    if MARK.exists():
        raise RuntimeError("this replica cannot start a second time")
    MARK.write_text("1")


def predict(args):
    return args
"""


def test_a_deployment_whose_replicas_died_for_good_is_reported_failed_and_its_key_revoked(
    server, admin, tmp_path: Path
) -> None:
    (tmp_path / "once.py").write_text(DIES_AFTER_FIRST_START)
    project = admin.create_project(name="once", template="local", local_path=str(tmp_path))
    served = deploy(admin, project.id, "once", file_path="once.py", function_name="predict")
    ids = {
        "project_id": project.id,
        "model_id": served.model.id,
        "build_id": served.build.id,
        "deployment_id": served.deployment.id,
    }
    assert served.deployment.status == "deployed"
    assert _keys_of(server, "deployment_id", served.deployment.id) == 1
    [replica] = admin.list_model_replicas(**ids).replicas
    _replica_process(replica.id).send_signal(signal.SIGKILL)
    deadline = time.monotonic() + 30
    while (dep := admin.get_model_deployment(**ids)).status != "failed":
        assert time.monotonic() < deadline, f"still {dep.status} with a dead replica"
        time.sleep(0.2)
    assert "cannot start a second time" in (dep.failure_reason or "")
    while _keys_of(server, "deployment_id", served.deployment.id):
        assert time.monotonic() < deadline, "the failed deployment's key is still valid"
        time.sleep(0.1)
    assert admin.list_model_replicas(**ids).replicas == []


def test_a_failed_start_revokes_the_deployments_key(server, admin, prd) -> None:
    model = admin.create_model(project_id=prd.id, name="never-ready")
    build = admin.create_model_build(
        project_id=prd.id, model_id=model.id, file_path="models.py", function_name="echo"
    )
    admin.wait_for_build(project_id=prd.id, model_id=model.id, build_id=build.id, timeout=120)
    build_dir = server.home / "builds" / build.id
    (build_dir / "models.py").write_text("raise ImportError('gone after the build')\n")
    dep = admin.create_model_deployment(
        project_id=prd.id, model_id=model.id, build_id=build.id, cpu=0.5, memory=0.5
    )
    ids = {"project_id": prd.id, "model_id": model.id, "build_id": build.id}
    deadline = time.monotonic() + 60
    while (now := admin.get_model_deployment(**ids, deployment_id=dep.id)).status != "failed":
        assert time.monotonic() < deadline, now.status
        time.sleep(0.2)
    assert "gone after the build" in (now.failure_reason or "")
    assert _keys_of(server, "deployment_id", dep.id) == 0


KEY_PROBE = """
import os, requests

key = os.environ["CDSW_APIV2_KEY"]
who = requests.get(
    os.environ["LAB_API_URL"] + "/api/v2/users/me",
    headers={"Authorization": f"Bearer {key}"},
    timeout=10,
).json()
open(os.environ["KEY_PROBE_OUT"], "w").write(who.get("username", "?") + "\\n" + key)


def predict(args):
    return args
"""


def test_a_builds_import_check_acts_as_its_creator_with_a_key_that_ends_with_it(
    server, admin, tmp_path: Path
) -> None:
    out = tmp_path / "probe.txt"
    (tmp_path / "probe.py").write_text(KEY_PROBE)
    project = admin.create_project(
        name="probe",
        template="local",
        local_path=str(tmp_path),
        environment={"KEY_PROBE_OUT": str(out)},
    )
    model = admin.create_model(project_id=project.id, name="probe")
    build = admin.create_model_build(
        project_id=project.id, model_id=model.id, file_path="probe.py", function_name="predict"
    )
    admin.wait_for_build(project_id=project.id, model_id=model.id, build_id=build.id, timeout=120)
    username, key = out.read_text().splitlines()
    assert username == "admin"
    assert _keys_of(server, "name", f"build {build.id}") == 0
    answer = requests.get(
        f"{server.url}/api/v2/users/me", headers={"Authorization": f"Bearer {key}"}, timeout=10
    )
    assert answer.status_code == 401, "the build's key ended with the build"
