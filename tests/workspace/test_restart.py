"""A server restart keeps every record and brings deployed replicas back."""

from __future__ import annotations

import psutil
from lab_server import PRD_FILES, deploy


def test_server_restart_keeps_records_and_brings_replicas_back(make_server):
    first = make_server().start()
    client = first.client()
    project = client.create_project(name="PRD", template="local", local_path=str(PRD_FILES))
    live = deploy(client, project.id, "echo", file_path="models.py", function_name="echo")
    parked = deploy(client, project.id, "parked", file_path="models.py", function_name="echo")
    ids = {
        "project_id": project.id,
        "model_id": parked.model.id,
        "build_id": parked.build.id,
        "deployment_id": parked.deployment.id,
    }
    client.stop_model_deployment(**ids)
    answer = client.call_model(live.model.access_key, {"before": 1})
    old_replica_pid = {p.pid for p in psutil.Process(first.process.pid).children(recursive=True)}
    admin_key = first.admin_key

    first.stop()
    assert not any(psutil.pid_exists(pid) for pid in old_replica_pid if pid != first.process.pid)

    second = make_server(first.home).start()
    client = second.client(admin_key)
    assert client.get_project(project_id=project.id).name == "PRD"
    assert (
        client.get_model(project_id=project.id, model_id=live.model.id).access_key
        == live.model.access_key
    )
    assert (
        client.get_model_build(
            project_id=project.id, model_id=live.model.id, build_id=live.build.id
        ).status
        == "built"
    )
    back = client.wait_for_deployment(
        project_id=project.id,
        model_id=live.model.id,
        build_id=live.build.id,
        deployment_id=live.deployment.id,
        timeout=60,
    )
    assert back.status == "deployed"
    assert client.call_model(live.model.access_key, {"after": 1})["response"] == {"after": 1}
    assert client.get_model_deployment(**ids).status == "stopped"
    uuids = [r.predictionUuid for r in client.read_metrics(model_crn=live.model.crn).metrics]
    assert answer["response"] is not None and len(uuids) == 2
