"""API keys: a user lists and revokes their own keys at CML's ``/users/{username}/v2_keys``; a
job run acts with the rights of whoever triggered it, and its key ends with it."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from workspace.client import Unauthorized

JOBS_FILES = Path(__file__).parents[1] / "jobs_project"


def _keys_call(server, key: str, method: str, username: str, suffix: str = "", **kwargs):
    return requests.request(
        method,
        f"{server.url}/api/v2/users/{username}/v2_keys{suffix}",
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
        **kwargs,
    )


def test_a_user_lists_creates_and_revokes_their_own_keys(server, admin):
    first = admin.create_user("kim").api_key
    made = _keys_call(server, first, "POST", "kim", json={"comments": "laptop"})
    assert made.status_code == 200, made.text
    second = made.json()
    assert second["api_key"].startswith("lab_") and second["comments"] == "laptop"
    listed = _keys_call(server, first, "GET", "kim").json()["keys"]
    assert [k["comments"] for k in listed] == ["created with the user", "laptop"]
    assert all("api_key" not in k for k in listed)
    assert server.client(second["api_key"]).get_current_user().username == "kim"
    gone = _keys_call(server, first, "DELETE", "kim", f"/{second['key_id']}")
    assert gone.status_code == 200 and gone.json() == {}
    with pytest.raises(Unauthorized, match="invalid API key"):
        server.client(second["api_key"]).get_current_user()
    assert server.client(first).get_current_user().username == "kim"
    missing = _keys_call(server, first, "DELETE", "kim", f"/{second['key_id']}")
    assert missing.status_code == 404 and "not found for user 'kim'" in missing.json()["message"]


def test_revoking_all_keys_ends_the_one_in_use(server, admin):
    key = admin.create_user("lou").api_key
    assert _keys_call(server, key, "DELETE", "lou").status_code == 200
    with pytest.raises(Unauthorized):
        server.client(key).get_current_user()


def test_a_user_cannot_touch_another_users_keys_but_an_admin_can(server, admin):
    mia = admin.create_user("mia").api_key
    admin.create_user("ned")
    for method, suffix in (("GET", ""), ("POST", ""), ("DELETE", ""), ("DELETE", "/x")):
        answer = _keys_call(
            server, mia, method, "ned", suffix, json={} if method == "POST" else None
        )
        assert answer.status_code == 403, (method, answer.text)
        assert "may manage only their own keys" in answer.json()["message"]
    listed = _keys_call(server, server.admin_key, "GET", "ned")
    assert [k["comments"] for k in listed.json()["keys"]] == ["created with the user"]
    assert _keys_call(server, server.admin_key, "GET", "nobody").status_code == 404


def test_a_key_with_an_expiry_date_stops_working_then(server, admin):
    key = admin.create_user("ona").api_key
    soon = (datetime.now(UTC) + timedelta(seconds=2)).isoformat()
    made = _keys_call(server, key, "POST", "ona", json={"expiry_date": soon}).json()
    assert made["expiry_date"].startswith(soon[:19])
    assert server.client(made["api_key"]).get_current_user().username == "ona"
    time.sleep(2.5)
    with pytest.raises(Unauthorized):
        server.client(made["api_key"]).get_current_user()
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    answer = _keys_call(server, key, "POST", "ona", json={"expiry_date": past})
    assert answer.status_code == 400 and "in the past" in answer.json()["message"]


def test_a_run_acts_as_whoever_triggered_it_and_its_key_ends_with_it(server, admin):
    project = admin.create_project(name="whoami", template="local", local_path=str(JOBS_FILES))
    job = admin.create_job(project_id=project.id, name="whoami", script="whoami.py")
    otis = admin.create_user("otis").api_key
    admin.add_project_collaborator(project_id=project.id, username="otis", permission="operator")
    as_otis = server.client(otis)
    run = as_otis.create_job_run(project_id=project.id, job_id=job.id)
    run = as_otis.wait_for_job_run(project_id=project.id, job_id=job.id, run_id=run.id, timeout=60)
    log = as_otis.get_job_run_logs(project_id=project.id, job_id=job.id, run_id=run.id)
    assert run.status == "ENGINE_SUCCEEDED", log
    assert "acting as otis" in log
    keys = _keys_call(server, otis, "GET", "otis").json()["keys"]
    assert [k["comments"] for k in keys] == ["created with the user"]  # the run's key is gone
    run = admin.create_job_run(project_id=project.id, job_id=job.id)
    admin.wait_for_job_run(project_id=project.id, job_id=job.id, run_id=run.id, timeout=60)
    assert "acting as admin" in admin.get_job_run_logs(
        project_id=project.id, job_id=job.id, run_id=run.id
    )
