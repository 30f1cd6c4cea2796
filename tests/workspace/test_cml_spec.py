"""The spec description the CML flows are checked against catches what a spec client would trip
on — a missing field, an int64 as a number, a timestamp without an offset, an object where the
spec has a JSON string, a status outside its enum, null for a string — and lets extra fields by."""

from __future__ import annotations

import copy

import cml_spec
import pytest

USER = {"username": "ana", "name": "ana", "email": ""}
RUN = {
    "project_id": "p",
    "job_id": "j",
    "status": "ENGINE_SUCCEEDED",
    "id": "r",
    "created_at": "2026-12-01T20:00:00.123456+00:00",
    "scheduling_at": "2026-12-01T20:00:00Z",
    "starting_at": None,
    "running_at": None,
    "finished_at": None,
    "kernel": "python3",
    "cpu": 1,
    "memory": 0.5,
    "nvidia_gpu": 0,
    "arguments": "",
    "environment": '{"A": "1"}',
    "creator": USER,
    "runtime_identifier": "",
    "failure_reason": None,  # ours: allowed, reported as an extension
}


def test_a_conforming_body_passes_and_its_extra_fields_are_reported():
    assert cml_spec.check("JobRun", RUN) == ([], {"JobRun.failure_reason"})


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("status", "succeeded", "'succeeded' is not one of EngineStatus"),
        ("created_at", "2026-12-01T20:00:00", "not an RFC 3339 timestamp with an offset"),
        ("environment", {"A": "1"}, "is not a JSON string"),
        ("environment", "[1]", "is not a JSON object of strings"),
        ("nvidia_gpu", "0", "'0' is not int32"),
        ("arguments", None, "None is not string"),
        ("creator", {"username": "ana", "name": "ana"}, ".creator.email: missing"),
    ],
)
def test_what_a_spec_client_would_trip_on_is_named(field, value, problem):
    body = copy.deepcopy(RUN)
    body[field] = value
    problems, _ = cml_spec.check("JobRun", body)
    assert len(problems) == 1 and problem in problems[0] and field in problems[0]


def test_int64_is_a_string_of_digits_and_every_declared_field_must_be_there():
    assert (
        cml_spec.check("DefaultReplicationPolicy", {"num_replicas": "2", "type": "fixed"})[0] == []
    )
    problems, _ = cml_spec.check("DefaultReplicationPolicy", {"num_replicas": 2})
    assert problems == [".type: missing", ".num_replicas: 2 is not int64 (a JSON string of digits)"]


def test_each_answer_is_held_against_its_operation_s_message_or_the_error_body():
    project = "/api/v2/projects/a1/models/b2/builds/c3/deployments/d4:stop"
    assert cml_spec.response_message("POST", project, 200) == "ModelDeployment"
    assert cml_spec.response_message("GET", "/api/v2/projects/a1/jobs", 200) == "ListJobsResponse"
    assert cml_spec.response_message("GET", "/api/v2/projects/a1", 404) == "runtimeError"
    with pytest.raises(KeyError, match="no operation of the spec for GET /api/v2/nowhere"):
        cml_spec.response_message("GET", "/api/v2/nowhere", 200)
