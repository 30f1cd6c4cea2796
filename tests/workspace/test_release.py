"""Releasing a model by name, finding the deployment serving it, and sending it load."""

from __future__ import annotations

import pytest
from lab_server import PRD_FILES
from workspace.client import NotFound
from workspace.endpoints import endpoint_load_plan, serving_endpoint
from workspace.load import run_load
from workspace.release import ModelRelease, release_model

ECHO = ModelRelease(
    project="release-tests",
    project_dir=PRD_FILES,
    project_description="models released by name",
    model="released-echo",
    model_fields={"description": "answers what it is sent"},
    build={"file_path": "models.py", "function_name": "echo", "kernel": "python3"},
    cpu=0.5,
    memory=0.5,
    environment={"REGION": "eu"},
)


@pytest.fixture(scope="module")
def released(admin):
    heard: list[str] = []
    release = release_model(admin, ECHO, test_request={"hello": "world"}, on_building=heard.append)
    return release, heard


def test_a_release_answers_its_test_request_and_says_where_to_call_it(admin, released) -> None:
    release, heard = released
    assert heard == ["building released-echo (models.py:echo) in project release-tests..."]
    assert release.answer["success"] is True and release.response == {"hello": "world"}
    assert release.served.deployment.environment["REGION"] == "eu"
    lines = release.format(serving_from="snapshot 7").splitlines()
    assert lines[0].startswith(f"deployed released-echo: build {release.served.build.id}")
    assert lines[0].endswith("(0.5 vCPU, 0.5 GB, 1 replica(s)) on snapshot 7")
    assert lines[1] == f"endpoint   POST {admin.api_url}/model"
    assert lines[2] == f"access key {release.served.model.access_key}"


def test_releasing_again_adds_a_build_of_the_same_model_and_serves_it(admin, released) -> None:
    first, _ = released
    again = release_model(admin, ECHO, test_request={"n": 1})
    assert again.served.model.id == first.served.model.id
    assert again.served.project_id == first.served.project_id
    assert again.served.build.id != first.served.build.id
    serving = serving_endpoint(admin, "release-tests", "released-echo")
    assert serving.deployment.id == again.served.deployment.id


def test_load_aimed_at_the_endpoint_reaches_the_model(admin, released) -> None:
    served = serving_endpoint(admin, "release-tests", "released-echo")
    plan = endpoint_load_plan(admin, served, [{"i": 1}, {"i": 2}], concurrency=2, count=6)
    assert plan.url == f"{admin.api_url}/model" and plan.access_key == served.model.access_key
    summary = run_load(plan).summary
    assert (summary.count, summary.failed) == (6, 0)


def test_an_unknown_project_lists_the_projects_that_exist(admin, released) -> None:
    with pytest.raises(NotFound, match=r"no project named 'nope'.*release-tests"):
        serving_endpoint(admin, "nope", "released-echo")
