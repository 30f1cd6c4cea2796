"""The lab's CML flows — DEV 03/04, PRD 05/06/07, MLflow 02/05 and the APIv2 notebook's jobs —
written as CML users write them (``cmlapi.default_client()``, the deployment created right after
its build, ``[-1]`` the latest build, ``.to_dict()``, search by ``owner.username``) and run as
workspace jobs; then every answer they got, held against CML's spec (``cml_spec``).

The flows are the scripts in ``cml_flows/``: the DEV project is that folder, and DEV 03 creates
the PRD project from a git repository of the same files, as the lab creates PRD from git. Each
flow prints one ``VERDICT`` line (its facts and its recorded answers) that the test reads from
the run's log.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import cml_spec
import pytest
from lab_server import RunningServer, free_port, server_env
from workspace.client import WorkspaceClient

FLOWS = Path(__file__).with_name("cml_flows")
USER = "admin"
WALL_S: dict[str, float] = {}


@pytest.fixture(scope="module")
def flows_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server of its own: the flows count and stop deployments, which others must not see."""
    home = tmp_path_factory.mktemp("cml-flows")
    port = free_port()
    running = RunningServer(home, port, server_env(home, port)).start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def client(flows_server: RunningServer) -> WorkspaceClient:
    return flows_server.client()


@pytest.fixture(scope="module")
def prd_git_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The flows folder as a git repository, the way the lab's PRD project lives on GitHub."""
    repo = tmp_path_factory.mktemp("git") / "CML_MLOps_Logistics_PRD"
    shutil.copytree(FLOWS, repo, ignore=shutil.ignore_patterns("__pycache__"))
    git = ["git", "-C", str(repo), "-c", "user.name=lab", "-c", "user.email=lab@localhost"]
    for args in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "PRD"]):
        subprocess.run([*git, *args], check=True, capture_output=True)
    return repo.as_uri()


def run_flow(client: WorkspaceClient, project_id: str, script: str, arguments: str = "") -> dict:
    """``script`` as a job of ``project_id``, run to its end; its verdict."""
    started = time.monotonic()
    job = client.create_job(project_id=project_id, name=script, script=script, arguments=arguments)
    run = client.create_job_run(project_id=project_id, job_id=job.id)
    client.wait_for_job_run(project_id=project_id, job_id=job.id, run_id=run.id, timeout=300)
    log = client.get_job_run_logs(project_id=project_id, job_id=job.id, run_id=run.id)
    WALL_S[script] = time.monotonic() - started
    return json.loads(log.split("VERDICT ", 1)[1].splitlines()[0])


@pytest.fixture(scope="module")
def dev(client: WorkspaceClient, prd_git_url: str) -> dict[str, dict]:
    project = client.create_project(
        name="CML MLOps Logistics DEV",
        template="local",
        local_path=str(FLOWS),
        environment={"PROJECT_USER": USER},
    )
    return {
        "project_id": project.id,
        "03": run_flow(client, project.id, "dev_03_model_deployment.py", prd_git_url),
        "04": run_flow(client, project.id, "dev_04_model_deployment.py"),
    }


@pytest.fixture(scope="module")
def prd(client: WorkspaceClient, dev: dict) -> dict[str, dict]:
    project_id = dev["03"]["facts"]["project_id"]
    return {
        script[4:6]: run_flow(client, project_id, script)
        for script in (
            "prd_05_model_simulation.py",
            "prd_06_model_monitoring.py",
            "prd_07_model_redeployment.py",
        )
    }


@pytest.fixture(scope="module")
def jobs(client: WorkspaceClient, dev: dict) -> dict:
    return run_flow(client, dev["project_id"], "apiv2_jobs.py")


@pytest.fixture(scope="module")
def registry(client: WorkspaceClient) -> dict[str, dict]:
    project = client.create_project(
        name="CML MLOps Logistics Mlflow", template="local", local_path=str(FLOWS)
    )
    return {
        "02": run_flow(client, project.id, "mlflow_02_api_deployment.py"),
        "05": run_flow(client, project.id, "mlflow_05_api_redeployment.py"),
    }


def test_dev_03_deploys_before_its_build_is_built_and_the_model_answers(dev):
    facts = dev["03"]["facts"]
    assert facts["creation_status_at_create"] == "creating"  # git: cloned in the background
    assert facts["model_name"] == f"TimeSeriesQuery-{USER}-{date.today()}"
    assert facts["runtimes"] >= 1
    assert facts["build_status_at_deploy"] == "pending"
    assert facts["deployment_status_at_create"] == "pending"
    assert facts["deployment"]["status"] == "deployed"
    assert facts["deployment"]["cpu"] == 0.25 and facts["deployment"]["replicas"] == 1
    answer = facts["answer"]
    assert answer["success"] is True
    assert answer["response"]["prediction"] == {  # @cdsw.model_metrics: prediction and uuid
        "data": {"pattern": [54, 53, 52, 51]},
        "nearest_neighbor": 3,
    }


def test_dev_04_finds_prd_by_owner_and_name_and_deploys_the_second_model(dev):
    facts = dev["04"]["facts"]
    assert facts["project_id"] == dev["03"]["facts"]["project_id"]
    assert facts["answer"]["response"] == {
        "motifs_idx": {"iot_signal_1": 3, "iot_signal_2": 3, "iot_signal_3": 3, "iot_signal_4": 3}
    }


def test_prd_05_simulates_load_on_both_models_by_their_latest_deployment(prd):
    facts = prd["05"]["facts"]
    day = date.today()
    assert facts["models"] == [f"MultiDimMotif-{USER}-{day}", f"TimeSeriesQuery-{USER}-{day}"]
    assert facts["answered"] == facts["requests"] == 20
    assert len(facts["motifs"]) == 3 and all("motifs_idx" in m for m in facts["motifs"])


def test_prd_06_reads_every_tracked_prediction_back(prd):
    facts = prd["06"]["facts"]
    assert facts["rows"] >= 21  # DEV 03's request and PRD 05's
    assert facts["with_input"] == facts["with_neighbor"] == facts["rows"]
    assert facts["non_negative_times"] is True


def test_prd_07_redeploys_with_more_replicas_stops_the_old_and_restarts_the_new(prd):
    facts = prd["07"]["facts"]
    assert facts["latest_build_is_new"] is True
    assert facts["latest_deployment_is_new"] is True
    assert facts["old_status"] in ("stopping", "stopped")
    assert facts["restarted_status"] in ("pending", "deploying")
    assert facts["replicas"] == 2
    assert facts["answer"]["response"]["prediction"]["nearest_neighbor"] == 3


def test_apiv2_jobs_update_with_read_back_objects_and_poll_runs_to_engine_succeeded(jobs):
    facts = jobs["facts"]
    assert facts["description"] == "DEV project of the CML flows"
    assert "hello" in facts["found"]
    assert facts["arguments"] == "from-apiv2"
    assert facts["status"] == facts["child_status"] == "ENGINE_SUCCEEDED"
    assert facts["child_parent"] and facts["in_all_jobs"] == [facts["child_id"]]
    assert facts["refused"] == {"missing job": 404, "unknown search key": 400}


def test_mlflow_02_registers_a_run_s_model_and_serves_the_version_it_answered(registry):
    facts = registry["02"]["facts"]
    registered = facts["registered"]
    assert registered["model_id"] == registered["name"] == f"IOTFailureClf-{USER}"
    assert [v["number"] for v in registered["model_versions"]] == [1]
    assert facts["model_registered_id"] == registered["model_id"]
    assert facts["build_version"] == registered["model_versions"][0]["model_version_id"]
    assert facts["cpu"] == 0.25  # sent as the string "0.25"
    assert facts["answer"]["success"] is True and facts["answer"]["response"] == [1]


def test_mlflow_05_registers_the_retrained_run_as_the_next_version_and_redeploys(registry):
    facts = registry["05"]["facts"]
    assert "workbench" in facts["runtime"]
    assert facts["versions"] == [2, 1]  # newest first: model_versions[0] is the new one
    assert facts["new_version"] == f"IOTFailureClf-{USER}/2"
    assert facts["latest_build_is_new"] is True
    assert facts["old_status"] in ("stopping", "stopped")
    assert facts["answer"]["response"] == [0]
    assert facts["fetched"] == 2


def test_every_answer_of_the_flows_is_the_spec_s_message(dev, prd, jobs, registry):
    verdicts = [dev["03"], dev["04"], *prd.values(), jobs, *registry.values()]
    responses = [r for v in verdicts for r in v["responses"]]
    broken: list[str] = []
    for r in responses:
        message = cml_spec.response_message(r["method"], r["path"], r["status"])
        body = r["body"] if r["status"] == 200 else json.loads(r["body"])
        problems, _extensions = cml_spec.check(message, body)  # extra fields are allowed
        broken += [f"{r['method']} {r['path']} ({message}){p}" for p in problems]
    assert not broken, "\n".join(broken)
    assert len(responses) >= 60 and sum(r["status"] != 200 for r in responses) == 2
