"""Project environments as CML runtimes give them: what a job ``pip install``s the project's next
job imports and no other project does; a model build installs its ``cdsw-build.sh`` or
``requirements.txt`` once per recipe and its replicas run with what it installed; a failing install
fails the build with pip's last lines; a build with nothing to install makes no environment."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from pathlib import Path

import pytest
from lab_server import deploy
from local_package import make_wheel
from workspace.client import BuildFailed, JobRunFailed, WorkspaceClient
from workspace.processes.python_envs import lab_site_packages

OFFLINE = {"PIP_NO_INDEX": "1"}
"""The tests run without a package index; a local wheel needs none."""

MODEL = (
    "import env_probe\n\n\n"
    "def predict(args):\n"
    "    return {'answer': env_probe.ANSWER, 'x': args.get('x')}\n"
)


@pytest.fixture(scope="module")
def probe_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_wheel(tmp_path_factory.mktemp("wheels"), name="env_probe", source="ANSWER = 42\n")


def _project(admin: WorkspaceClient, folder: Path, files: dict[str, str]):
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text)
    return admin.create_project(
        name=f"envs {folder.name}", template="local", local_path=str(folder), environment=OFFLINE
    )


def _run(admin: WorkspaceClient, project_id: str, script: str) -> tuple[bool, str]:
    """Run ``script`` as a job of the project: whether it succeeded, and its log."""
    job = admin.create_job(project_id=project_id, name=script, script=script)
    run = admin.create_job_run(project_id=project_id, job_id=job.id)
    try:
        admin.wait_for_job_run(project_id=project_id, job_id=job.id, run_id=run.id, timeout=120)
        succeeded = True
    except JobRunFailed:
        succeeded = False
    return succeeded, admin.get_job_run_logs(project_id=project_id, job_id=job.id, run_id=run.id)


def _build(admin: WorkspaceClient, project_id: str, model_id: str):
    """A new build of ``model.py:predict``, waited for: the build and its log."""
    build = admin.create_model_build(
        project_id=project_id, model_id=model_id, file_path="model.py", function_name="predict"
    )
    ids = {"project_id": project_id, "model_id": model_id, "build_id": build.id}
    with contextlib.suppress(BuildFailed):  # the test reads the failure from the build
        admin.wait_for_build(**ids, timeout=180)
    return admin.get_model_build(**ids), admin.get_model_build_logs(**ids)


def _build_envs(server) -> set[str]:
    folder = server.home / "envs" / "builds"
    return (
        {p.name for p in folder.iterdir() if p.is_dir()} - {".locks"} if folder.is_dir() else set()
    )


def _lab_imports(module: str) -> bool:
    return (
        subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True).returncode
        == 0
    )


def test_what_a_job_installs_the_projects_next_job_imports_and_no_other_project_does(
    server, admin, probe_wheel, tmp_path
):
    files = {
        "install.sh": "pip install -r requirements.txt\n",
        "probe.py": "import env_probe\nprint('ANSWER', env_probe.ANSWER)\n",
        "requirements.txt": f"{probe_wheel}\n",
    }
    mine, other = _project(admin, tmp_path / "mine", files), _project(admin, tmp_path / "o", files)

    assert not _run(admin, mine.id, "probe.py")[0]  # nothing installed yet
    installed, log = _run(admin, mine.id, "install.sh")
    assert installed and "Successfully installed env-probe" in log
    succeeded, log = _run(admin, mine.id, "probe.py")
    assert succeeded and "ANSWER 42" in log

    succeeded, log = _run(admin, other.id, "probe.py")
    assert not succeeded and "No module named 'env_probe'" in log
    assert not _lab_imports("env_probe")
    assert not any((Path(p) / "env_probe.py").exists() for p in lab_site_packages())

    env = server.home / "envs" / "projects" / mine.id
    assert (env / "READY").is_file()
    admin.delete_project(project_id=mine.id)
    assert not env.exists()


def test_a_build_installs_its_requirements_once_per_recipe_and_its_replica_imports_them(
    server, admin, probe_wheel, tmp_path
):
    project = _project(
        admin, tmp_path / "req", {"model.py": MODEL, "requirements.txt": f"{probe_wheel}\n"}
    )
    before = _build_envs(server)

    deployed = deploy(admin, project.id, "env-req", file_path="model.py", function_name="predict")
    answer = admin.call_model(deployed.model.access_key, {"x": 1})

    assert answer["response"] == {"answer": 42, "x": 1}
    assert len(_build_envs(server) - before) == 1
    log = admin.get_model_build_logs(
        project_id=project.id, model_id=deployed.model.id, build_id=deployed.build.id
    )
    assert "Successfully installed env-probe" in log

    started = time.monotonic()
    again, log = _build(admin, project.id, deployed.model.id)
    assert again.status == "built", again.failure_reason
    assert "reused" in log and "pip install" not in log, log
    assert len(_build_envs(server) - before) == 1
    print(f"cached build took {time.monotonic() - started:.1f} s")
    admin.stop_model_deployment(
        project_id=project.id,
        model_id=deployed.model.id,
        build_id=deployed.build.id,
        deployment_id=deployed.deployment.id,
    )


def test_cdsw_build_sh_runs_in_the_build_folder_with_the_builds_env_first(
    server, admin, probe_wheel, tmp_path
):
    script = f'pip3 install {probe_wheel}\necho "pip3 is $(command -v pip3) in $PWD"\n'
    project = _project(admin, tmp_path / "sh", {"model.py": MODEL, "cdsw-build.sh": script})

    deployed = deploy(admin, project.id, "env-sh", file_path="model.py", function_name="predict")
    answer = admin.call_model(deployed.model.access_key, {"x": 2})

    assert answer["response"] == {"answer": 42, "x": 2}
    log = admin.get_model_build_logs(
        project_id=project.id, model_id=deployed.model.id, build_id=deployed.build.id
    )
    envs, builds = server.home.resolve() / "envs" / "builds", server.home.resolve() / "builds"
    assert f"pip3 is {envs}/" in log and f"in {builds / deployed.build.id}" in log
    admin.stop_model_deployment(
        project_id=project.id,
        model_id=deployed.model.id,
        build_id=deployed.build.id,
        deployment_id=deployed.deployment.id,
    )


def test_a_failing_requirement_fails_the_build_with_pips_last_lines_and_leaves_no_env(
    server, admin, tmp_path
):
    files = {"model.py": MODEL, "requirements.txt": "no-such-package-anywhere==1.0\n"}
    project = _project(admin, tmp_path / "bad", files)
    model = admin.create_model(project_id=project.id, name="env-bad")
    before = _build_envs(server)

    build, log = _build(admin, project.id, model.id)

    assert build.status == "failed"
    reason = build.failure_reason
    assert reason.startswith("pip install -r requirements.txt exited with code 1; its last lines:")
    assert "No matching distribution found for no-such-package-anywhere==1.0" in reason
    assert "No matching distribution found" in log
    assert _build_envs(server) == before


def test_a_build_with_nothing_to_install_makes_no_env(server, admin, tmp_path):
    model_py = "def predict(args):\n    return {'x': args.get('x')}\n"
    project = _project(admin, tmp_path / "plain", {"model.py": model_py})
    model = admin.create_model(project_id=project.id, name="env-plain")
    before = _build_envs(server)

    build, log = _build(admin, project.id, model.id)

    assert build.status == "built", build.failure_reason
    assert _build_envs(server) == before
    assert "Python environment" not in log and "pip install" not in log
