"""The workspace keeps its records in PostgreSQL (``LAB_DATABASE_URL``): no SQLite file is made,
and a restart finds the project, the model, its build and deployment and the request metrics."""

from __future__ import annotations

import time

from lab_server import PRD_FILES, RunningServer, deploy, free_port, server_env


def test_the_records_live_in_postgresql_and_survive_a_restart(postgres, tmp_path):
    database = postgres.create_database("workspace_restart")
    port = free_port()
    env = {**server_env(tmp_path, port), "LAB_DATABASE_URL": database}
    first = RunningServer(tmp_path, port, env).start()
    try:
        client = first.client()
        project = client.create_project(name="PRD", template="local", local_path=str(PRD_FILES))
        live = deploy(client, project.id, "echo", file_path="models.py", function_name="echo")
        client.call_model(live.model.access_key, {"before": 1})
    finally:
        first.stop()
    assert not (tmp_path / "workspace.db").exists()

    second = RunningServer(tmp_path, port, env).start()
    try:
        client = second.client()
        assert client.get_project(project_id=project.id).name == "PRD"
        back = client.wait_for_deployment(
            project_id=project.id,
            model_id=live.model.id,
            build_id=live.build.id,
            deployment_id=live.deployment.id,
            timeout=60,
        )
        assert back.status == "deployed"
        assert client.call_model(live.model.access_key, {"after": 1})["response"] == {"after": 1}
        deadline = time.monotonic() + 10  # request metrics are written every LAB_METRICS_FLUSH_S
        while len(client.read_metrics(model_crn=live.model.crn).metrics) < 2:
            assert time.monotonic() < deadline, "the request after the restart was not recorded"
            time.sleep(0.2)
    finally:
        second.stop()
