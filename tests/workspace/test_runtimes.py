"""Runtimes as a CML user meets them: listed, searched, sorted and paged like CML's, and named by
builds and jobs either as ours or with the CML runtime identifiers lab code hard-codes."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from packaging.version import Version
from workspace.client import BadRequest, WorkspaceClient
from workspace.schemas import RuntimeStatus
from workspace.server.services.errors import InvalidRequest
from workspace.server.services.runtimes import RuntimeCatalog, local_runtimes

JOBS_FILES = Path(__file__).parent / "jobs_project"
LOCAL_KERNEL = f"Python {sys.version_info.major}.{sys.version_info.minor}"
CML_REGISTRY = "docker.repository.cloudera.com/cloudera/cdsw"
CML_JUPYTERLAB = f"{CML_REGISTRY}/ml-runtime-jupyterlab-python3.9-standard:2024.02.1-b4"
CML_WORKBENCH = f"{CML_REGISTRY}/ml-runtime-workbench-python3.9-standard:2024.02.1-b4"
SPEC_FIELDS = {
    "image_identifier",
    "editor",
    "kernel",
    "edition",
    "description",
    "full_version",
    "status",
}
SEARCH_KEYS = "['description', 'edition', 'editor', 'full_version', 'image_identifier', 'kernel']"


@pytest.fixture(scope="module")
def jobs_project(admin: WorkspaceClient):
    return admin.create_project(name="runtimes-jobs", template="local", local_path=str(JOBS_FILES))


def _editors(page) -> list[str]:
    return [runtime.editor for runtime in page.runtimes]


def test_runtimes_are_the_workspace_python_in_cml_runtime_records(admin):
    raw = admin.http.request("GET", "/api/v2/runtimes")
    assert set(raw) == {"runtimes", "next_page_token"}
    assert all(set(record) == SPEC_FIELDS for record in raw["runtimes"])
    runtimes = admin.list_runtimes().runtimes
    assert sorted(r.editor for r in runtimes) == ["JupyterLab", "Workbench"]
    for runtime in runtimes:
        assert runtime.kernel == LOCAL_KERNEL
        assert runtime.edition == "Standard"
        assert runtime.status == RuntimeStatus.ENABLED == "ENABLED"
        Version(runtime.full_version)  # CML code picks the latest with packaging's Version
        assert runtime.image_identifier.endswith(f"-standard:{runtime.full_version}")
        assert f"ml-runtime-{runtime.editor.lower()}-python" in runtime.image_identifier
    assert {status.value for status in RuntimeStatus} == {"ENABLED", "DISABLED", "DEPRECATED"}


def test_runtimes_are_searched_by_kernel_and_editor(admin):
    jupyter = admin.list_runtimes(search_filter={"editor": "jupyterlab"})
    assert _editors(jupyter) == ["JupyterLab"]
    workbench = admin.list_runtimes(search_filter={"kernel": LOCAL_KERNEL, "editor": "Workbench"})
    assert _editors(workbench) == ["Workbench"]
    assert admin.list_runtimes(search_filter={"kernel": "Python 2.7"}).runtimes == []


def test_unknown_search_key_is_refused_naming_the_keys_cml_allows(admin):
    with pytest.raises(BadRequest, match=rf"search_filter key 'language'.*{SEARCH_KEYS}"):
        admin.list_runtimes(search_filter={"language": "python"})
    with pytest.raises(BadRequest, match="search_filter is not valid JSON"):
        admin.list_runtimes(search_filter="{kernel")


def test_runtimes_sort_by_one_key_or_several(admin):
    assert _editors(admin.list_runtimes(sort="editor")) == ["JupyterLab", "Workbench"]
    assert _editors(admin.list_runtimes(sort="-editor")) == ["Workbench", "JupyterLab"]
    assert _editors(admin.list_runtimes(sort="-kernel,+editor")) == ["JupyterLab", "Workbench"]
    with pytest.raises(BadRequest, match="sort '-created_at' is not supported"):
        admin.list_runtimes(sort="-created_at")


def test_runtimes_page_with_the_token_of_the_previous_page(admin):
    first = admin.list_runtimes(sort="editor", page_size=1)
    assert _editors(first) == ["JupyterLab"]
    assert first.next_page_token
    second = admin.list_runtimes(sort="editor", page_size=1, page_token=first.next_page_token)
    assert _editors(second) == ["Workbench"]
    assert second.next_page_token == ""
    with pytest.raises(BadRequest, match="page_token 'next'"):
        admin.list_runtimes(page_token="next")


def test_the_upstream_lab_runtime_lookups_answer_without_failing(admin):
    """The lab asks for CML's Python 3.10 and 3.9 images; this workspace offers only its own
    Python, so both answer an empty page (CML's own code then falls back or logs it)."""
    informational = admin.list_runtimes(
        search_filter={
            "kernel": "Python 3.10",
            "edition": "Standard",
            "full_version": "2023.12.1-b8",
        }
    )
    assert (informational.runtimes, informational.next_page_token) == ([], "")
    redeployment = admin.list_runtimes(
        search_filter={"kernel": "Python 3.9", "edition": "Standard", "editor": "Workbench"},
        page_size=1000,
    )
    assert (redeployment.runtimes, redeployment.next_page_token) == ([], "")


def test_build_with_the_upstream_cml_runtime_builds_on_the_local_python(admin, prd):
    model = admin.create_model(project_id=prd.id, name="runtime-cml")
    build = admin.create_model_build(
        project_id=prd.id,
        model_id=model.id,
        file_path="models.py",
        function_name="echo",
        runtime_identifier=CML_JUPYTERLAB,
    )
    assert (build.runtime_identifier, build.kernel) == (CML_JUPYTERLAB, LOCAL_KERNEL)
    built = admin.wait_for_build(
        project_id=prd.id, model_id=model.id, build_id=build.id, timeout=120
    )
    assert (built.status, built.runtime_identifier, built.kernel) == (
        "built",
        CML_JUPYTERLAB,
        LOCAL_KERNEL,
    )


def test_job_on_one_of_our_runtimes_runs_and_records_it(admin, jobs_project):
    ours = admin.list_runtimes(search_filter={"editor": "Workbench"}).runtimes[0]
    job = admin.create_job(
        project_id=jobs_project.id,
        name="on-our-runtime",
        script="steps/ok.py",
        runtime_identifier=ours.image_identifier,
    )
    assert (job.runtime_identifier, job.kernel) == (ours.image_identifier, LOCAL_KERNEL)
    run = admin.create_job_run(project_id=jobs_project.id, job_id=job.id)
    done = admin.wait_for_job_run(
        project_id=jobs_project.id, job_id=job.id, run_id=run.id, timeout=60
    )
    assert done.status == "ENGINE_SUCCEEDED"
    moved = admin.update_job(
        project_id=jobs_project.id, job_id=job.id, runtime_identifier=CML_WORKBENCH
    )
    assert (moved.runtime_identifier, moved.kernel) == (CML_WORKBENCH, LOCAL_KERNEL)


def test_unknown_runtime_is_refused_naming_the_field_and_nothing_is_created(
    admin, prd, jobs_project
):
    model = admin.create_model(project_id=prd.id, name="runtime-bogus")
    refusal = r"runtime_identifier 'python3\.9' is neither.*GET /api/v2/runtimes"
    with pytest.raises(BadRequest, match=refusal):
        admin.create_model_build(
            project_id=prd.id,
            model_id=model.id,
            file_path="models.py",
            function_name="echo",
            runtime_identifier="python3.9",
        )
    assert admin.list_model_builds(project_id=prd.id, model_id=model.id).model_builds == []
    with pytest.raises(BadRequest, match=refusal):
        admin.create_job(
            project_id=jobs_project.id,
            name="on-a-bogus-runtime",
            script="steps/ok.py",
            runtime_identifier="python3.9",
        )
    named = admin.list_jobs(project_id=jobs_project.id, search_filter={"name": "bogus"})
    assert named.jobs == []


def test_cml_images_map_to_our_runtime_of_the_same_editor_and_other_languages_are_refused():
    catalog = RuntimeCatalog(local_runtimes("1.2.3", (3, 11)))
    assert catalog.resolve(CML_JUPYTERLAB).editor == "JupyterLab"
    assert catalog.resolve(CML_WORKBENCH).editor == "Workbench"
    pbj = f"{CML_REGISTRY}/ml-runtime-pbj-jupyterlab-python3.10-standard:2024.02.1-b4"
    assert (catalog.resolve(pbj).editor, catalog.resolve(pbj).kernel) == (
        "JupyterLab",
        "Python 3.11",
    )
    assert catalog.resolve("") is None
    assert catalog.kernel_of("", "python3") == "python3"
    r_runtime = f"{CML_REGISTRY}/ml-runtime-workbench-r4.1-standard:2024.02.1-b4"
    with pytest.raises(InvalidRequest, match="CML r runtime; this workspace runs Python only"):
        catalog.resolve(r_runtime)
