"""``WorkspaceClient`` as a script meets it: ids by keyword, typed answers, pages, one default
project, and every cmlapi call it offers."""

from __future__ import annotations

import inspect

import pytest
from workspace.client import (
    ModelCreate,
    ModelList,
    ModelOut,
    ProjectCreate,
    ProjectList,
    ProjectOut,
    WorkspaceClient,
)


def test_ids_are_keyword_only(admin, prd, tracked_model):
    with pytest.raises(TypeError):
        admin.get_model(prd.id, tracked_model.model.id)
    model = admin.get_model(project_id=prd.id, model_id=tracked_model.model.id)
    assert isinstance(model, ModelOut) and model.id == tracked_model.model.id


def test_every_id_parameter_of_every_call_is_keyword_only():
    calls = inspect.getmembers(WorkspaceClient, inspect.isfunction)
    for name, call in [(n, c) for n, c in calls if not n.startswith("_")]:
        for param in inspect.signature(call).parameters.values():
            if param.name.endswith("_id"):
                assert param.kind is param.KEYWORD_ONLY, f"{name}({param.name})"


def test_list_calls_answer_a_typed_page_with_the_plural_and_a_token(admin):
    project = admin.create_project(name="pages", template="blank")
    for name in ("first", "second"):
        admin.create_model(project_id=project.id, name=name)
    page = admin.list_models(project_id=project.id, page_size=1, sort="name")
    assert isinstance(page, ModelList)
    assert [(type(m), m.name) for m in page.models] == [(ModelOut, "first")]
    assert page.next_page_token
    as_json = page.to_dict()
    assert set(as_json) == {"models", "next_page_token"}
    assert as_json["models"][0]["id"] == page.models[0].id


def test_a_request_body_may_be_the_schemas_request_class(admin):
    project = admin.create_project(ProjectCreate(name="typed-bodies", template="blank"))
    model = admin.create_model(
        ModelCreate(name="typed", default_replication_policy={"num_replicas": 2}),
        project_id=project.id,
    )
    assert isinstance(model, ModelOut)
    assert (model.project_id, model.default_replication_policy.num_replicas) == (project.id, 2)


def test_search_filter_may_be_given_as_a_dict(admin, prd):
    page = admin.list_projects(search_filter={"name": prd.name})
    assert isinstance(page, ProjectList)
    assert prd.id in [p.id for p in page.projects]


def test_project_id_defaults_to_the_clients_project(server, prd):
    inside_the_project = WorkspaceClient(server.url, server.admin_key, project_id=prd.id)
    project = inside_the_project.get_project()
    assert isinstance(project, ProjectOut) and project.id == prd.id


def test_a_call_without_any_project_says_what_is_missing(server, monkeypatch):
    monkeypatch.delenv("LAB_PROJECT_ID", raising=False)
    client = WorkspaceClient(server.url, server.admin_key)
    with pytest.raises(TypeError, match="project_id is required"):
        client.list_models()


def test_replica_metrics_are_typed_rows(admin, prd, tracked_model):
    samples = admin.read_replica_metrics(
        project_id=prd.id,
        model_id=tracked_model.model.id,
        build_id=tracked_model.build.id,
        deployment_id=tracked_model.deployment.id,
        start_timestamp_ms=0,
    )
    for sample in samples.replica_metrics:
        assert sample.cpu_limit == 0.5 and sample.timestamp_ms > 0
    assert list(samples.to_dict()) == ["replica_metrics"]


def test_metric_rows_are_typed(admin, tracked_model):
    answer = admin.call_model(tracked_model.model.access_key, {"a": 1})
    rows = admin.read_metrics(model_crn=tracked_model.model.crn).metrics
    row = next(r for r in rows if r.predictionUuid == answer["response"]["uuid"])
    assert row.metrics == {"input_size": 1}
    assert row.modelDeploymentCrn == tracked_model.deployment.crn
