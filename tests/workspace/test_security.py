"""Bad input and security: every refusal is a 4xx whose message names the problem."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest
import requests
from lab_server import deploy
from workspace.client import BuildFailed, Forbidden, Unauthorized

KEYLESS = {"/api/v2/health", "/api/v2/python.tar.gz"}  # liveness and the client download, as CML


def test_every_api_route_refuses_a_missing_or_wrong_api_key(server):
    spec = requests.get(f"{server.url}/openapi.json", timeout=10).json()
    checked = 0
    for path, methods in spec["paths"].items():
        if not path.startswith("/api/v2") or path in KEYLESS:
            continue
        concrete = path.replace("{", "").replace("}", "")
        for method in methods:
            for headers in ({}, {"Authorization": "Bearer lab_not-a-key"}, {"Authorization": "x"}):
                answer = requests.request(
                    method, server.url + concrete, headers=headers, timeout=10
                )
                assert answer.status_code == 401, (method, path, headers, answer.text)
                assert answer.json()["message"]
            checked += 1
    assert checked >= 20


def test_viewer_cannot_deploy_into_prd(server, admin, prd, tracked_model):
    viewer = admin.create_user("vera")
    admin.add_project_collaborator(project_id=prd.id, username="vera", permission="viewer")
    as_viewer = server.client(viewer.api_key)
    assert as_viewer.get_project(project_id=prd.id).permission == "viewer"
    with pytest.raises(Forbidden, match="viewer"):
        as_viewer.create_model_deployment(
            project_id=prd.id, model_id=tracked_model.model.id, build_id=tracked_model.build.id
        )
    with pytest.raises(Forbidden):
        as_viewer.create_model(project_id=prd.id, name="sneaky")


def test_operator_can_build_and_deploy_into_prd(server, admin, prd):
    operator = admin.create_user("otto")
    admin.add_project_collaborator(project_id=prd.id, username="otto", permission="operator")
    as_operator = server.client(operator.api_key)
    deployed = deploy(as_operator, prd.id, "otto-echo", file_path="models.py", function_name="echo")
    assert deployed.deployment.status == "deployed"
    assert deployed.deployment.creator.username == "otto"


def test_user_who_is_not_a_collaborator_cannot_touch_prd(server, admin, prd, tracked_model):
    outsider = server.client(admin.create_user("olga").api_key)
    for call in (
        lambda: outsider.get_project(project_id=prd.id),
        lambda: outsider.list_models(project_id=prd.id),
        lambda: outsider.get_model(project_id=prd.id, model_id=tracked_model.model.id),
        lambda: outsider.create_model(project_id=prd.id, name="x"),
        lambda: outsider.delete_project(project_id=prd.id),
        lambda: outsider.read_metrics(model_crn=tracked_model.model.crn),
    ):
        with pytest.raises(Forbidden, match=r"not a collaborator|may not access"):
            call()
    assert prd.id not in [p.id for p in outsider.list_projects().projects]


def test_only_workspace_admins_create_users(server, admin):
    user = server.client(admin.create_user("uma").api_key)
    with pytest.raises(Forbidden, match="not a workspace admin"):
        user.create_user("eve")


def test_wrong_model_access_key_is_refused(server, tracked_model):
    for body in ({"accessKey": "wrong", "request": {}}, {"request": {}}):
        answer = requests.post(f"{server.url}/model", json=body, timeout=10)
        assert answer.status_code == 401
        assert answer.json()["success"] is False
        assert "accessKey" in answer.json()["message"]
    by_id = f"{server.url}/model/{tracked_model.model.id}"
    answer = requests.post(by_id, json={"accessKey": "wrong", "request": {}}, timeout=10)
    assert answer.status_code == 401


def test_model_with_authentication_disabled_answers_without_access_key(server, admin, prd):
    open_model = deploy(
        admin,
        prd.id,
        "open-echo",
        file_path="models.py",
        function_name="echo",
        model={"disable_authentication": True},
    )
    answer = requests.post(
        f"{server.url}/model/{open_model.model.id}", json={"request": {"a": 1}}, timeout=10
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["response"] == {"a": 1}


def test_malformed_json_is_refused_naming_the_problem(server, admin):
    answer = requests.post(
        f"{server.url}/model", data=b'{"accessKey": ', timeout=10,
        headers={"Content-Type": "application/json"},
    )  # fmt: skip
    assert answer.status_code == 400
    assert "malformed JSON" in answer.json()["message"]
    answer = requests.post(
        f"{server.url}/api/v2/projects",
        data=b"{name: PRD",
        headers={"Authorization": f"Bearer {server.admin_key}", "Content-Type": "application/json"},
        timeout=10,
    )
    assert answer.status_code == 400
    assert "malformed JSON" in answer.json()["message"]


def test_wrong_types_are_refused_naming_the_field(server, admin, prd, tracked_model):
    path = (
        f"{server.url}/api/v2/projects/{prd.id}/models/{tracked_model.model.id}"
        f"/builds/{tracked_model.build.id}/deployments"
    )
    auth = {"Authorization": f"Bearer {server.admin_key}"}
    for body, field in (
        ({"cpu": "lots"}, "cpu"),
        ({"replicas": 0}, "replicas"),
        ({"environment": {"A": 1}}, "environment"),
        ({"cpus": 1}, "cpus"),
    ):
        answer = requests.post(path, json=body, headers=auth, timeout=10)
        assert answer.status_code == 400, answer.text  # INVALID_ARGUMENT, as CML answers
        assert field in answer.json()["message"]
    key = tracked_model.model.access_key
    for body, field in (
        ({"accessKey": 123, "request": {}}, "accessKey"),
        ({"accessKey": key}, "request"),
    ):
        answer = requests.post(f"{server.url}/model", json=body, timeout=10)
        assert answer.status_code == 400
        assert field in answer.json()["message"]
    answer = requests.post(f"{server.url}/model", json=[1, 2], timeout=10)
    assert answer.status_code == 400 and "JSON object" in answer.json()["message"]


def test_oversize_model_request_is_refused(server, tracked_model):
    big = {"accessKey": tracked_model.model.access_key, "request": {"x": "a" * (6 * 1024 * 1024)}}
    answer = requests.post(f"{server.url}/model", json=big, timeout=30)
    assert answer.status_code == 413
    assert "5 MB" in answer.json()["message"]


@pytest.mark.parametrize(
    ("file_path", "function_name", "reason"),
    [
        ("../conftest.py", "deploy", "leaves the project folder"),
        ("/etc/hostname", "x", "leaves the project folder"),
        ("models.py", "missing_function", "function 'missing_function' not found"),
        ("models.py", "NOT_A_FUNCTION", "is not a function"),
        ("nowhere.py", "predict", "does not exist"),
        ("broken.py", "predict", "ModuleNotFoundError"),
    ],
)
def test_bad_build_fails_with_its_reason(admin, prd, file_path, function_name, reason):
    name = f"bad-{function_name}-{abs(hash(file_path))}"
    model = admin.create_model(project_id=prd.id, name=name)
    build = admin.create_model_build(
        project_id=prd.id, model_id=model.id, file_path=file_path, function_name=function_name
    )
    with pytest.raises(BuildFailed, match=reason) as failure:
        admin.wait_for_build(project_id=prd.id, model_id=model.id, build_id=build.id, timeout=60)
    assert (
        admin.get_model_build(project_id=prd.id, model_id=model.id, build_id=build.id).status
        == "failed"
    )
    assert reason in failure.value.log_tail
    if file_path == "broken.py":
        assert "Traceback" in admin.get_model_build_logs(
            project_id=prd.id, model_id=model.id, build_id=build.id
        )


def test_model_that_raises_answers_5xx_and_its_replica_keeps_serving(server, tracked_model):
    key = tracked_model.model.access_key
    failed = requests.post(
        f"{server.url}/model", json={"accessKey": key, "request": {"fail": True}}, timeout=10
    )
    assert failed.status_code >= 500
    assert failed.json()["success"] is False
    assert "model failed on purpose" in failed.json()["message"]
    good = requests.post(f"{server.url}/model", json={"accessKey": key, "request": {}}, timeout=10)
    assert good.status_code == 200
    assert good.json()["ReplicaID"] == failed.json()["ReplicaID"]


def test_api_keys_are_stored_only_as_hashes(server, admin):
    key = server.admin_key
    with sqlite3.connect(server.home / "workspace.db") as db:
        hashes = {row[0] for row in db.execute("SELECT key_hash FROM api_keys")}
    assert hashlib.sha256(key.encode()).hexdigest() in hashes
    assert key not in hashes
    for path in server.home.glob("workspace.db*"):
        assert key.encode() not in path.read_bytes()
    assert (server.home / "credentials.json").stat().st_mode & 0o777 == 0o600


def test_unauthenticated_client_gets_unauthorized(server):
    with pytest.raises(Unauthorized, match="invalid API key"):
        server.client("lab_wrong").list_projects()
