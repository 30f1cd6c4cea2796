"""Where CML's API v2 spec and our habit differed, the spec's contract: its error body, 501 for
the operations of the spec we do not serve, and the ``list_all_*`` calls."""

from __future__ import annotations

import requests


def _get(server, path: str, key: str | None = None) -> requests.Response:
    headers = {"Authorization": f"Bearer {key or server.admin_key}"}
    return requests.get(f"{server.url}/api/v2{path}", headers=headers, timeout=10)


def test_errors_carry_the_specs_error_body_with_the_http_status(server):
    missing = _get(server, "/projects/no-such-project")
    assert missing.status_code == 404
    body = missing.json()
    assert set(body) == {"error", "code", "message", "details"}
    assert body["code"] == 5 and body["error"] == body["message"] and body["details"] == []
    assert "no-such-project" in body["message"]
    refused = _get(server, "/projects", key="not-a-key")
    assert refused.status_code == 401 and refused.json()["code"] == 16
    bad_filter = _get(server, "/projects?search_filter={nope")
    assert bad_filter.status_code == 400 and bad_filter.json()["code"] == 3


def test_an_operation_of_the_spec_we_do_not_serve_answers_501_naming_it(server, prd):
    answer = _get(server, f"/projects/{prd.id}/applications")
    assert answer.status_code == 501
    assert answer.json()["code"] == 12
    assert "list_applications" in answer.json()["message"]
    assert _get(server, "/registry/models").status_code == 501


def test_a_path_outside_the_spec_is_still_not_found(server):
    assert _get(server, "/no-such-resource").status_code == 404


def test_list_all_models_lists_the_models_of_every_visible_project(admin, tracked_model):
    names = [m.name for m in admin.list_all_models(page_size=1000).models]
    assert tracked_model.model.name in names


def test_health_needs_no_key_even_with_the_catch_all_behind_it(server):
    assert requests.get(f"{server.url}/api/v2/health", timeout=10).json()["status"] == "ok"
