"""Where CML's API v2 spec and our habit differed, the spec's contract: its error body, 501 for
the operations of the spec we do not serve, and the ``list_all_*`` calls."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta

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


def _json(server, path: str) -> dict:
    answer = _get(server, path)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_project_answers_with_the_specs_fields_and_types(server, prd):
    raw = _json(server, f"/projects/{prd.id}")
    assert raw["creation_status"] == "success"
    assert raw["permissions"]["admin"] is True and raw["permissions"]["read"] is True
    assert json.loads(raw["environment"]) == {"GREETING": "hi"}  # a JSON string, as CML writes it
    assert raw["owner"] == {"username": "admin", "name": "admin", "email": ""}
    assert datetime.fromisoformat(raw["created_at"]).utcoffset() == timedelta(0)


def test_a_project_whose_clone_fails_has_the_spec_s_creation_status_failure(server, admin):
    missing = (server.home / "no-such-repository").as_uri()
    project = admin.create_project(name="clone-fails", template="git", git_url=missing)
    for _ in range(100):
        raw = _json(server, f"/projects/{project.id}")
        if raw["creation_status"] != "creating":
            break
        time.sleep(0.1)
    assert (raw["creation_status"], raw["status"]) == ("failure", "failed")
    assert "git clone failed" in raw["failure_reason"]
    assert admin.get_project(project_id=project.id).creation_status == "failed"  # read back


def test_the_lab_client_reads_the_same_answer_back_as_python_values(admin, prd):
    project = admin.get_project(project_id=prd.id)
    assert project.environment == {"GREETING": "hi"}
    assert project.created_at.tzinfo is not None


def test_models_deployments_and_runs_speak_the_specs_names(server, tracked_model):
    model = _json(server, f"/projects/{tracked_model.project_id}/models/{tracked_model.model.id}")
    assert model["default_resources"]["cpu_millicores"] == "1000"  # int64 as a string
    assert model["project"]["public_identifier"] == tracked_model.project_id
    deployment = _json(
        server,
        f"/projects/{tracked_model.project_id}/models/{tracked_model.model.id}"
        f"/builds/{tracked_model.build.id}/deployments/{tracked_model.deployment.id}",
    )
    assert deployment["nvidia_gpu"] == 0 and deployment["deployer"]["username"] == "admin"
    assert isinstance(deployment["environment"], str)


def test_projects_are_found_by_their_owners_username_as_the_dev_03_notebook_does(admin, prd):
    search = json.dumps({"owner.username": "admin", "name": prd.name})
    found = admin.list_projects(search_filter=search).projects
    assert prd.id in [p.id for p in found]
    assert admin.list_projects(search_filter={"owner.username": "nobody-at-all"}).projects == []


def test_lists_sort_by_several_keys(admin, prd):
    ordered = admin.list_projects(sort="-creator.username,+name").projects
    assert [p.name for p in ordered] == sorted(p.name for p in ordered)


def test_an_unknown_search_key_is_refused_naming_the_allowed_ones(server):
    answer = _get(server, '/projects?search_filter={"colour": "red"}')
    assert answer.status_code == 400
    assert "owner.username" in answer.json()["message"]


def test_update_project_accepts_the_object_read_back_from_the_api(server, prd):
    headers = {"Authorization": f"Bearer {server.admin_key}"}
    read_back = _json(server, f"/projects/{prd.id}")
    read_back["description"] = "updated from its own answer"
    answer = requests.patch(
        f"{server.url}/api/v2/projects/{prd.id}", json=read_back, headers=headers, timeout=10
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["description"] == "updated from its own answer"
    assert json.loads(answer.json()["environment"]) == {"GREETING": "hi"}


def test_an_environment_string_that_is_not_a_json_object_is_refused_naming_it(server, prd):
    headers = {"Authorization": f"Bearer {server.admin_key}"}
    answer = requests.patch(
        f"{server.url}/api/v2/projects/{prd.id}",
        json={"environment": "[1, 2]"},
        headers=headers,
        timeout=10,
    )
    assert answer.status_code == 400
    assert "environment" in answer.json()["message"]
    assert _json(server, f"/projects/{prd.id}")["environment"] != "[1, 2]"


def test_a_job_echoes_kernel_runtime_and_parent_and_its_runs_report_engine_statuses(admin, prd):
    job = admin.create_job(
        project_id=prd.id,
        name="contract-job",
        script="models.py",
        kernel="python3",
        runtime_identifier="",
        nvidia_gpu=0,
    )
    assert job.kernel == "python3" and job.parent_id is None and job.timeout == 0
    run = admin.create_job_run(project_id=prd.id, job_id=job.id)
    assert run.status.startswith("ENGINE_")
    done = admin.wait_for_job_run(project_id=prd.id, job_id=job.id, run_id=run.id, timeout=60)
    assert done.status == "ENGINE_SUCCEEDED" and done.kernel == "python3"


def test_update_job_accepts_the_job_read_back_from_the_api(server, admin, prd):
    job = admin.create_job(project_id=prd.id, name="read-back-job", script="models.py")
    headers = {"Authorization": f"Bearer {server.admin_key}"}
    read_back = _json(server, f"/projects/{prd.id}/jobs/{job.id}")
    assert read_back["timeout"] == "0"  # int64 as a string
    read_back["arguments"] = "--from-its-own-answer"
    answer = requests.patch(
        f"{server.url}/api/v2/projects/{prd.id}/jobs/{job.id}",
        json=read_back,
        headers=headers,
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["arguments"] == "--from-its-own-answer"


def test_deletes_answer_the_specs_empty_response(server, admin):
    project = admin.create_project(name="to-delete", template="blank")
    headers = {"Authorization": f"Bearer {server.admin_key}"}
    answer = requests.delete(
        f"{server.url}/api/v2/projects/{project.id}", headers=headers, timeout=10
    )
    assert (answer.status_code, answer.json()) == (200, {})


def test_collaborators_carry_the_specs_user_object(server, prd):
    listed = _json(server, f"/projects/{prd.id}/collaborators")["collaborators"]
    assert listed[0]["user"]["username"] == listed[0]["username"] == "admin"
