"""Code written for CML runs unchanged here: ``import cdsw`` in a model replica and in a job, the
variables CML sets in every engine, and ``cml.data_v1`` connections to the lakehouse."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lab_server import Deployed, RunningServer, deploy
from workspace.client import WorkspaceClient

JOBS_FILES = Path(__file__).parent / "jobs_project"


@pytest.fixture(scope="module")
def cml_model(admin: WorkspaceClient, prd) -> Deployed:
    """prd_project/cml_model.py:predict, which imports cdsw (its build's import check too)."""
    return deploy(admin, prd.id, "cml-runtime", file_path="cml_model.py", function_name="predict")


def test_a_replica_written_for_cml_answers_and_tracks_its_metrics_through_cdsw(
    admin, prd, cml_model
):
    answer = admin.call_model(cml_model.model.access_key, {"pattern": [52, 53]})
    assert answer["success"] is True
    response = answer["response"]
    assert response["prediction"] == {
        "nearest_neighbor": 7,
        "project": "PRD",
        "owner": "admin",
        "own_key": True,
    }
    rows = admin.read_metrics(model_deployment_crn=cml_model.deployment.crn).metrics
    tracked = [r.metrics for r in rows if r.predictionUuid == response["uuid"]]
    assert tracked == [{"input_data": {"pattern": [52, 53]}, "nearest_neighbor": 7}]


def test_a_job_written_for_cml_reads_the_cdsw_variables_and_calls_a_model(
    server: RunningServer, admin, cml_model
):
    project = admin.create_project(name="cml-job", template="local", local_path=str(JOBS_FILES))
    job = admin.create_job(
        project_id=project.id,
        name="cml-runtime",
        script="cml_runtime.py",
        arguments=f"{cml_model.model.access_key} {cml_model.model.crn}",
    )
    run = admin.create_job_run(project_id=project.id, job_id=job.id)
    admin.wait_for_job_run(project_id=project.id, job_id=job.id, run_id=run.id, timeout=60)
    log = admin.get_job_run_logs(project_id=project.id, job_id=job.id, run_id=run.id)
    report = json.loads(log.split("REPORT ", 1)[1].splitlines()[0])

    expected = {
        "CDSW_PROJECT_ID": project.id,
        "CDSW_PROJECT": "cml-job",
        "PROJECT_OWNER": "admin",
        "CDSW_API_URL": server.url + "/api/v1",
        "CDSW_DOMAIN": f"127.0.0.1:{server.port}",
    }
    assert {name: report["env"].get(name) for name in expected} == expected
    assert report["own_key"] is True
    assert report["project_via_cdsw_api_url"] == "cml-job"
    answer = report["answer"]
    assert answer["success"] is True and answer["response"]["prediction"]["nearest_neighbor"] == 7
    assert report["tracked"] == [
        {"input_data": {"pattern": [54, 53, 52, 51]}, "nearest_neighbor": 7}
    ]
