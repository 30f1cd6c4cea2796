"""Roles hold: a change of a collaborator's permission takes effect, only operators and admins
of PRD create models, builds and deployments in it, and a viewer reads environment values
masked (the names stay), as CML keeps them to collaborators who may change the project."""

from __future__ import annotations

import pytest
from lab_server import PRD_FILES
from workspace.client import Forbidden

SECRETS = {"DB_PASSWORD": "hunter2", "AWS_SECRET_ACCESS_KEY": "abc", "hf_token": "t0k"}
MASKED = "********"


def test_demoting_a_collaborator_takes_effect_and_persists(server, admin, prd):
    dana = server.client(admin.create_user("dana").api_key)
    admin.add_project_collaborator(project_id=prd.id, username="dana", permission="operator")
    assert dana.create_model(project_id=prd.id, name="dana-first").name == "dana-first"
    answer = admin.add_project_collaborator(project_id=prd.id, username="dana", permission="viewer")
    assert answer.permission == "viewer"
    listed = admin.list_project_collaborators(project_id=prd.id).collaborators
    assert {c.username: c.permission for c in listed}["dana"] == "viewer"
    assert dana.get_project(project_id=prd.id).permission == "viewer"
    with pytest.raises(Forbidden, match="'dana' is a viewer of project 'PRD'"):
        dana.create_model(project_id=prd.id, name="dana-second")
    admin.add_project_collaborator(project_id=prd.id, username="dana", permission="admin")
    assert dana.get_project(project_id=prd.id).permission == "admin"


@pytest.mark.parametrize("permission", [None, "viewer"], ids=["outsider", "viewer"])
def test_only_operators_create_models_builds_and_deployments_in_prd(
    server, admin, prd, tracked_model, permission
):
    name = f"prd-{permission or 'outsider'}"
    user = server.client(admin.create_user(name).api_key)
    if permission:
        admin.add_project_collaborator(project_id=prd.id, username=name, permission=permission)
    ids = {"project_id": prd.id, "model_id": tracked_model.model.id}
    for call in (
        lambda: user.create_model(project_id=prd.id, name=f"{name}-model"),
        lambda: user.create_model_build(**ids, file_path="models.py", function_name="echo"),
        lambda: user.create_model_deployment(**ids, build_id=tracked_model.build.id),
    ):
        with pytest.raises(Forbidden, match=f"user '{name}' is (not a collaborator|a viewer)"):
            call()
    assert [m.name for m in admin.list_models(project_id=prd.id).models].count(f"{name}-model") == 0
    builds = admin.list_model_builds(**ids).model_builds
    assert all(b.creator.username != name for b in builds)


def test_a_viewer_reads_environment_values_masked(server, admin, tracked_model):
    project = admin.create_project(
        name="secrets",
        template="local",
        local_path=str(PRD_FILES),
        environment={"GREETING": "hi", **SECRETS},
    )
    job = admin.create_job(
        project_id=project.id, name="report", script="models.py", environment=SECRETS
    )
    keys = {}
    for name, permission in (("vic", "viewer"), ("ola", "operator")):
        keys[name] = admin.create_user(name).api_key
        admin.add_project_collaborator(project_id=project.id, username=name, permission=permission)
    viewer, operator = server.client(keys["vic"]), server.client(keys["ola"])

    seen = viewer.get_project(project_id=project.id).environment
    assert seen == dict.fromkeys(["GREETING", *SECRETS], MASKED)
    listed = viewer.list_projects(search_filter={"name": "secrets"}).projects[0]
    assert listed.environment == seen
    assert viewer.get_job(project_id=project.id, job_id=job.id).environment == dict.fromkeys(
        SECRETS, MASKED
    )
    assert viewer.list_all_jobs().jobs[0].environment == dict.fromkeys(SECRETS, MASKED)
    assert operator.get_project(project_id=project.id).environment["DB_PASSWORD"] == "hunter2"
    assert operator.get_job(project_id=project.id, job_id=job.id).environment == SECRETS
    assert admin.get_project(project_id=project.id).environment["hf_token"] == "t0k"


def test_a_viewer_reads_a_deployments_environment_masked(server, admin, prd, tracked_model):
    ids = {
        "project_id": prd.id,
        "model_id": tracked_model.model.id,
        "build_id": tracked_model.build.id,
    }
    dep = admin.create_model_deployment(
        **ids, cpu=0.5, memory=0.5, environment={"REGION": "eu", "S3_SECRET_KEY": "s3"}
    )
    viewer = server.client(admin.create_user("vaughn").api_key)
    admin.add_project_collaborator(project_id=prd.id, username="vaughn", permission="viewer")
    try:
        seen = viewer.get_model_deployment(**ids, deployment_id=dep.id).environment
        assert seen == {"REGION": MASKED, "S3_SECRET_KEY": MASKED}
        listed = viewer.list_model_deployments(**ids).model_deployments
        assert {"REGION": MASKED, "S3_SECRET_KEY": MASKED} in [d.environment for d in listed]
        assert admin.get_model_deployment(**ids, deployment_id=dep.id).environment == {
            "REGION": "eu",
            "S3_SECRET_KEY": "s3",
        }
    finally:
        admin.stop_model_deployment(**ids, deployment_id=dep.id)
