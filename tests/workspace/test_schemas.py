"""Response bodies are declared once: read from table rows on the server, from JSON in the
client, with the same fields on both sides."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

from workspace import schemas
from workspace.schemas.states import (
    DEPLOYMENTS_HOLDING_REPLICAS,
    DEPLOYMENTS_RUNNING,
    JOB_RUNS_ACTIVE,
    JOB_RUNS_FINISHED,
    DeploymentStatus,
    JobRunStatus,
)

NOW = datetime(2026, 1, 1, 12, 0)


def _model_row() -> SimpleNamespace:
    return SimpleNamespace(
        id="m1",
        project_id="p1",
        name="TimeSeriesQuery",
        description="",
        crn="crn:model",
        access_key="k",
        auth_enabled=True,
        registered_model_id=None,
        default_cpu_millicores=500,
        default_memory_mb=1024,
        default_nvidia_gpus=0,
        default_num_replicas=2,
        project=SimpleNamespace(id="p1", name="Logistics PRD"),
        creator=SimpleNamespace(username="alice"),
        created_at=NOW,
        updated_at=NOW,
    )


def test_a_model_row_nests_its_default_resources_as_the_api_does():
    out = schemas.ModelOut.model_validate(_model_row())
    assert out.default_resources.cpu_millicores == 500
    assert out.default_replication_policy.num_replicas == 2
    assert out.creator.username == "alice"
    assert out.project.slug == "logistics-prd"


def test_what_the_server_answers_the_client_reads_back_unchanged():
    out = schemas.ModelOut.model_validate(_model_row())
    again = schemas.ModelOut.model_validate(out.to_dict() | {"field_of_a_newer_server": 1})
    assert again == out


def test_a_job_run_reports_when_it_was_scheduled_from_its_creation_time():
    run = SimpleNamespace(
        id="r1",
        job_id="j1",
        project_id="p1",
        status="ENGINE_RUNNING",
        failure_reason=None,
        exit_code=None,
        triggered_by="manual",
        arguments="",
        environment={},
        kernel="python3",
        cpu=1.0,
        memory=2.0,
        runtime_identifier="",
        starting_at=NOW,
        running_at=NOW,
        finished_at=None,
        creator=SimpleNamespace(username="bob"),
        created_at=NOW,
        updated_at=NOW,
    )
    out = schemas.JobRunOut.model_validate(run)
    assert out.scheduling_at == NOW.replace(tzinfo=UTC)  # naive UTC in, its offset out
    assert out.status is JobRunStatus.RUNNING
    assert out.to_dict()["status"] == "ENGINE_RUNNING"
    assert out.to_dict()["environment"] == "{}"


def test_active_and_finished_runs_split_every_state():
    assert set(JobRunStatus) == JOB_RUNS_ACTIVE | JOB_RUNS_FINISHED
    assert not JOB_RUNS_ACTIVE & JOB_RUNS_FINISHED


def test_a_stopping_deployment_still_holds_replicas_but_is_not_brought_back():
    assert DeploymentStatus.STOPPING in DEPLOYMENTS_HOLDING_REPLICAS
    assert DeploymentStatus.STOPPING not in DEPLOYMENTS_RUNNING
