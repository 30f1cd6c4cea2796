"""Limits of the HTTP surface: /api/v2 checks the key before it reads a body and caps the body;
JSON nesting, search filters and page tokens are bounded; /metrics needs a key; LAB_HOME is
private. Every refusal is a 4xx in CML's error body with one line that says what was wrong."""

from __future__ import annotations

import http.client
import json
import os
import stat
import time

import pytest
import requests

MB = 1024 * 1024


def _cml_error(answer: requests.Response, status: int, words: str) -> None:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert set(body) == {"error", "code", "message", "details"}
    assert words in body["message"] and "\n" not in body["message"]


def _announce_body(server, length: int, key: str | None) -> tuple[int, dict]:
    """Send headers announcing ``length`` body bytes and no body: the answer must come without
    the server waiting to read them."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.putrequest("POST", "/api/v2/projects")
    conn.putheader("Content-Type", "application/json")
    conn.putheader("Content-Length", str(length))
    if key:
        conn.putheader("Authorization", f"Bearer {key}")
    conn.endheaders()
    answer = conn.getresponse()
    body = json.loads(answer.read())
    conn.close()
    return answer.status, body


def test_a_64_mb_body_without_a_valid_key_is_refused_before_it_is_read(server):
    start = time.monotonic()
    status, body = _announce_body(server, 64 * MB, key=None)
    assert status == 401 and "missing API key" in body["message"]
    status, body = _announce_body(server, 64 * MB, key="lab_not-a-key")
    assert status == 401 and body["message"] == "invalid API key"
    assert time.monotonic() - start < 5


def test_a_keyed_body_over_the_cap_is_refused_with_413(server):
    status, body = _announce_body(server, 64 * MB, key=server.admin_key)
    assert status == 413 and "1 MB limit" in body["message"]
    assert body["code"] == 3 and body["error"] == body["message"]


def test_a_chunked_body_over_the_cap_is_refused_with_413_and_saves_nothing(server, admin):
    def chunks():
        yield b'{"name": "chunked-big", "description": "'
        for _ in range(3):
            yield b"x" * MB
        yield b'"}'

    answer = requests.post(
        f"{server.url}/api/v2/projects",
        data=chunks(),
        headers={"Authorization": f"Bearer {server.admin_key}"},
        timeout=30,
    )
    _cml_error(answer, 413, "1 MB limit")
    assert admin.list_projects(search_filter={"name": "chunked-big"}).projects == []


def test_deeply_nested_json_is_refused_on_the_api_and_the_model_endpoint(server, tracked_model):
    auth = {"Authorization": f"Bearer {server.admin_key}"}
    deep = b'{"name": "deep", "environment": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    answer = requests.post(f"{server.url}/api/v2/projects", data=deep, headers=auth, timeout=30)
    _cml_error(answer, 400, "nests deeper than 64 levels")
    key = tracked_model.model.access_key.encode()
    deep = b'{"accessKey": "' + key + b'", "request": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    answer = requests.post(f"{server.url}/model", data=deep, timeout=30)
    assert answer.status_code == 400
    assert answer.json() == {"success": False, "message": "JSON body nests deeper than 64 levels"}
    fine = {"accessKey": tracked_model.model.access_key, "request": {"a": [[[1]]]}}
    assert requests.post(f"{server.url}/model", json=fine, timeout=30).json()["success"] is True


@pytest.mark.parametrize(
    "search_filter",
    ['{"name": ["PRD"]}', '{"name": {"$ne": 1}}', '{"status": 1' + "0" * 40 + "}"],
)
def test_a_search_filter_value_that_is_not_plain_is_refused(server, search_filter):
    answer = requests.get(
        f"{server.url}/api/v2/projects",
        params={"search_filter": search_filter},
        headers={"Authorization": f"Bearer {server.admin_key}"},
        timeout=10,
    )
    _cml_error(answer, 400, "must be a string, number or boolean")


@pytest.mark.parametrize("token", ["1" * 40, "-1", "ten", "١٢", "1e3", " 5"])
def test_a_page_token_this_api_never_issues_is_refused(server, token):
    for path in ("/api/v2/projects", "/api/v2/runtimes"):
        answer = requests.get(
            f"{server.url}{path}",
            params={"page_token": token},
            headers={"Authorization": f"Bearer {server.admin_key}"},
            timeout=10,
        )
        _cml_error(answer, 400, "is not a token this API issued")


def test_metrics_need_a_bearer_key_by_default(server):
    _cml_error(requests.get(f"{server.url}/metrics", timeout=10), 401, "missing API key")
    wrong = {"Authorization": "Bearer lab_not-a-key"}
    _cml_error(requests.get(f"{server.url}/metrics", headers=wrong, timeout=10), 401, "invalid")
    auth = {"Authorization": f"Bearer {server.admin_key}"}
    answer = requests.get(f"{server.url}/metrics", headers=auth, timeout=10)
    assert answer.status_code == 200 and "lab_requests_total" in answer.text


def test_metrics_open_without_a_key_when_the_setting_says_so(make_server):
    server = make_server()
    server.env["LAB_METRICS_PUBLIC"] = "true"
    server.start()
    answer = requests.get(f"{server.url}/metrics", timeout=10)
    assert answer.status_code == 200 and "lab_requests_total" in answer.text


def test_the_server_makes_lab_home_private_at_start(make_server, tmp_path):
    home = tmp_path / "loose-home"
    home.mkdir(mode=0o755)
    os.chmod(home, 0o755)
    leftover = home / "notes.txt"
    leftover.write_text("from an older version")
    os.chmod(leftover, 0o644)
    server = make_server(home).start()
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    for name in ("workspace.db", "credentials.json", "notes.txt"):
        assert stat.S_IMODE((home / name).stat().st_mode) & 0o077 == 0, name
    assert server.client().list_projects().projects == []
