"""Lifecycle helpers scripts share: idempotent creation, finding by name, waiting for serving."""

from __future__ import annotations

import pytest
from lab_server import deploy
from workspace.client import NotFound
from workspace.lifecycle import ensure_model, find_model, redeploy, serving


def test_ensure_model_creates_once_and_then_finds_the_same_model(admin, prd) -> None:
    first = ensure_model(admin, prd.id, "lifecycle-echo", description="echo")
    again = ensure_model(admin, prd.id, "lifecycle-echo")
    assert again.id == first.id


def test_unknown_model_lists_the_models_that_exist(admin, prd) -> None:
    ensure_model(admin, prd.id, "lifecycle-echo")
    with pytest.raises(NotFound, match=r"no model named 'nope'.*lifecycle-echo"):
        find_model(admin, prd.id, "nope")


def test_serving_waits_for_a_deployment_that_is_still_coming_up(admin, prd) -> None:
    model = ensure_model(admin, prd.id, "lifecycle-late")
    with pytest.raises(NotFound, match="no deployed build"):
        serving(admin, prd.id, "lifecycle-late", wait_s=1)
    build = admin.create_model_build(
        project_id=prd.id, model_id=model.id, file_path="models.py", function_name="echo"
    )
    admin.wait_for_build(project_id=prd.id, model_id=model.id, build_id=build.id, timeout=120)
    dep = admin.create_model_deployment(
        project_id=prd.id, model_id=model.id, build_id=build.id, cpu=0.5, memory=0.5
    )
    served = serving(admin, prd.id, "lifecycle-late", wait_s=120)  # returns once it is deployed
    assert served.deployment.id == dep.id and served.deployment.status == "deployed"


def test_redeploy_of_the_same_entry_point_keeps_the_runtime_it_was_built_on(admin, prd) -> None:
    cml_runtime = (
        "docker.repository.cloudera.com/cloudera/cdsw/"
        "ml-runtime-workbench-python3.9-standard:2024.02.1-b4"
    )
    deploy(
        admin,
        prd.id,
        "lifecycle-runtime",
        file_path="models.py",
        function_name="echo",
        runtime_identifier=cml_runtime,
    )
    current = serving(admin, prd.id, "lifecycle-runtime")
    new = redeploy(admin, current, cpu=0.5, memory=0.5, replicas=1, timeout=120)
    assert new.build.id != current.build.id
    assert new.build.runtime_identifier == cml_runtime
