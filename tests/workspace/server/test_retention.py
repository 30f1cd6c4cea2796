"""Retention and recovery on the real server: metrics and replica samples are kept for their
configured period, ``read_metrics`` pages, deleting a project removes its builds and silences its
models, and a project a crash left 'creating' is recovered at the next start."""

from __future__ import annotations

import sqlite3
import subprocess
import time
from pathlib import Path

import requests
from lab_server import PRD_FILES, deploy

DAY_S = 24 * 3600


def test_metrics_and_replica_samples_are_kept_only_for_their_retention(make_server):
    server = make_server()
    server.env.update(
        LAB_METRICS_RETENTION_DAYS=str(3 / DAY_S),
        LAB_SAMPLES_RETENTION_DAYS=str(3 / DAY_S),
        LAB_RETENTION_PURGE_S="0.5",
    )
    server.start()
    admin = server.client()
    project = admin.create_project(name="PRD", template="local", local_path=str(PRD_FILES))
    echo = deploy(admin, project.id, "echo", file_path="models.py", function_name="echo")
    for n in range(3):
        admin.call_model(echo.model.access_key, {"n": n})
    assert len(admin.read_metrics(model_crn=echo.model.crn).metrics) == 3
    time.sleep(5)
    assert admin.read_metrics(model_crn=echo.model.crn).metrics == []
    ids = {
        "project_id": project.id,
        "model_id": echo.model.id,
        "build_id": echo.build.id,
        "deployment_id": echo.deployment.id,
    }
    samples = admin.read_replica_metrics(**ids).replica_metrics
    oldest_s = (time.time() * 1000 - min(s.timestamp_ms for s in samples)) / 1000
    assert samples and oldest_s < 3 + 1.5  # the sampler keeps adding, the purge keeps cutting


def test_read_metrics_pages_and_the_client_reads_every_page(server, admin, tracked_model):
    for n in range(5):
        admin.call_model(tracked_model.model.access_key, {"page": n})
    crn = tracked_model.model.crn
    every = admin.read_metrics(model_crn=crn).metrics
    first = admin.read_metrics(model_crn=crn, page_size=2, page_token="")
    assert len(first.metrics) == 2 and first.next_page_token == "2"
    second = admin.read_metrics(model_crn=crn, page_size=2, page_token=first.next_page_token)
    assert [m.predictionUuid for m in first.metrics + second.metrics] == [
        m.predictionUuid for m in every[:4]
    ]
    assert len(every) >= 5


def test_deleting_a_project_removes_its_builds_and_logs_and_its_models_stop_answering(
    server, admin
):
    project = admin.create_project(name="doomed", template="local", local_path=str(PRD_FILES))
    model = admin.create_model(project_id=project.id, name="doomed-echo")
    build = admin.create_model_build(
        project_id=project.id, model_id=model.id, file_path="models.py", function_name="echo"
    )
    admin.wait_for_build(project_id=project.id, model_id=model.id, build_id=build.id)
    job = admin.create_job(project_id=project.id, name="import", script="models.py")
    run = admin.create_job_run(project_id=project.id, job_id=job.id)
    admin.wait_for_job_run(project_id=project.id, job_id=job.id, run_id=run.id, timeout=60)
    snapshot = server.home / "builds" / build.id
    logs = [server.home / "logs" / "builds" / f"{build.id}.log"]
    logs += list((server.home / "logs").rglob(f"{run.id}.log"))
    assert snapshot.is_dir() and len(logs) == 2 and all(log.is_file() for log in logs)
    admin.delete_project(project_id=project.id)
    assert not snapshot.exists() and not any(log.exists() for log in logs)
    assert not (server.home / "projects" / project.id).exists()
    answer = requests.post(
        f"{server.url}/model", json={"accessKey": model.access_key, "request": {}}, timeout=10
    )
    assert answer.status_code == 401
    assert answer.json()["message"] == "accessKey does not belong to any model"


def _git_repo(folder: Path) -> Path:
    folder.mkdir()
    (folder / "job.py").write_text("print('hi')\n")
    git = ["git", "-C", str(folder), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "init"], check=True)
    return folder


def test_a_project_left_creating_by_a_crash_is_recovered_at_start(make_server, tmp_path):
    server = make_server().start()
    admin = server.client()
    cloned = admin.create_project(
        name="cloned", template="git", git_url=_git_repo(tmp_path / "repo").as_uri()
    )
    copied = admin.create_project(name="copied", template="local", local_path=str(PRD_FILES))
    for _ in range(100):
        if admin.get_project(project_id=cloned.id).status != "creating":
            break
        time.sleep(0.1)
    server.stop()
    # What a crash mid-clone leaves: rows still 'creating', the clone's folder not there.
    subprocess.run(["rm", "-rf", str(server.home / "projects" / cloned.id)], check=True)
    with sqlite3.connect(server.home / "workspace.db") as conn:
        conn.execute("UPDATE projects SET status = 'creating'")
    again = make_server(server.home).start()
    client = again.client()
    for _ in range(100):
        project = client.get_project(project_id=cloned.id)
        if project.status != "creating":
            break
        time.sleep(0.1)
    assert project.status == "success"
    assert (again.home / "projects" / cloned.id / "job.py").is_file()
    project = client.get_project(project_id=copied.id)
    assert project.status == "failed"
    assert project.failure_reason == "the server stopped while the project was created"
