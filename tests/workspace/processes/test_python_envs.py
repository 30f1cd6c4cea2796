"""Python environments layered over the lab: pip installs into them and never into the lab, the
lab's packages count as installed there, and an environment is whole or absent."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from local_package import make_wheel
from workspace.core.config import WorkspaceSettings
from workspace.processes.python_envs import (
    EnvironmentFailed,
    PythonEnv,
    build_env_path,
    build_python,
    build_recipe,
    ensure_env,
    install_build_recipe,
    lab_site_packages,
)

OFFLINE = {**os.environ, "PIP_NO_INDEX": "1"}


def _shell(env: PythonEnv, command: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """``command`` in bash as a job runs it: the environment's bin first on PATH."""
    return subprocess.run(
        ["bash", "-c", command], env=env.activate(OFFLINE), cwd=cwd, capture_output=True, text=True
    )


def _imports(python: str, module: str) -> bool:
    return subprocess.run([python, "-c", f"import {module}"], capture_output=True).returncode == 0


def test_pip_typed_in_a_shell_installs_into_the_env_and_not_into_the_lab(tmp_path):
    wheel = make_wheel(tmp_path / "wheels", name="probe_one", source="ANSWER = 42\n")
    env = ensure_env(tmp_path / "envs" / "p")

    installed = _shell(env, f"pip install {wheel}")

    assert installed.returncode == 0, installed.stderr
    answer = subprocess.run(
        [env.python, "-c", "import probe_one; print(probe_one.ANSWER, probe_one.__file__)"],
        capture_output=True,
        text=True,
    ).stdout.split()
    assert answer[0] == "42" and Path(answer[1]).is_relative_to(env.path)
    assert not _imports(sys.executable, "probe_one")
    assert not any((Path(p) / "probe_one.py").exists() for p in lab_site_packages())


def test_the_labs_packages_are_importable_and_count_as_installed(tmp_path):
    env = ensure_env(tmp_path / "envs" / "p")

    assert _imports(env.python, "requests") and _imports(env.python, "pip")
    satisfied = _shell(env, "pip install requests")  # offline: only what the lab already has

    assert satisfied.returncode == 0, satisfied.stderr
    assert "Requirement already satisfied: requests" in satisfied.stdout


def test_upgrading_a_lab_package_shadows_it_in_the_env_and_leaves_the_labs_copy(tmp_path):
    wheel = make_wheel(tmp_path / "wheels", name="six", source="SHADOW = True\n", version="99.0")
    env = ensure_env(tmp_path / "envs" / "p")
    lab_six = subprocess.run(
        [sys.executable, "-c", "import six; print(six.__file__)"], capture_output=True, text=True
    ).stdout.strip()
    before = Path(lab_six).read_bytes()

    upgraded = _shell(env, f"pip install {wheel}")

    assert upgraded.returncode == 0, upgraded.stderr
    assert "outside environment" in upgraded.stdout  # pip refuses to uninstall the lab's six
    assert _imports(env.python, "six; assert six.SHADOW")
    assert Path(lab_six).read_bytes() == before


def test_notebook_kernels_of_the_env_start_its_interpreter(tmp_path):
    env = ensure_env(tmp_path / "envs" / "p")

    spec = json.loads((env.jupyter_dir / "kernels" / "python3" / "kernel.json").read_text())

    assert spec["argv"][0] == env.python
    assert _imports(env.python, "ipykernel")


def test_a_failed_install_leaves_no_folder_and_a_half_made_env_is_made_again(tmp_path):
    path = tmp_path / "envs" / "b"

    def fail(_: PythonEnv) -> None:
        raise EnvironmentFailed("pip install -r requirements.txt exited with code 1")

    with pytest.raises(EnvironmentFailed):
        ensure_env(path, install=fail)
    assert not path.exists()

    (path / "bin").mkdir(parents=True)  # as a crash mid-install leaves it: no READY marker
    (path / "leftover").write_text("half")
    env = ensure_env(path)
    assert not (path / "leftover").exists() and _imports(env.python, "json")


def test_two_builds_of_one_recipe_install_once(tmp_path):
    installs: list[int] = []

    def install(_: PythonEnv) -> None:
        installs.append(1)

    threads = [
        threading.Thread(target=ensure_env, args=(tmp_path / "b",), kwargs={"install": install})
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert installs == [1]


def test_the_recipe_is_the_hash_of_what_a_build_installs(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    for folder in (one, two):
        folder.mkdir()
        (folder / "model.py").write_text(f"# {folder.name}\n")
    assert build_recipe(one) is None  # nothing to install: no environment at all

    (one / "requirements.txt").write_text("probe\n")
    (two / "requirements.txt").write_text("probe\n")
    assert build_recipe(one) == build_recipe(two)

    (two / "cdsw-build.sh").write_text("pip install -r requirements.txt\n")
    assert build_recipe(one) != build_recipe(two)


def test_cdsw_build_sh_runs_with_the_env_first_and_a_failure_carries_pips_last_lines(tmp_path):
    wheel = make_wheel(tmp_path / "wheels", name="probe_two", source="ANSWER = 2\n")
    build = tmp_path / "build"
    build.mkdir()
    (build / "cdsw-build.sh").write_text(f"pip3 install {wheel}\n")
    log = tmp_path / "build.log"

    env = ensure_env(
        tmp_path / "envs" / "ok",
        install=lambda e: install_build_recipe(e, build, child_env=OFFLINE, log=log, timeout_s=60),
    )
    assert _imports(env.python, "probe_two") and "Successfully installed" in log.read_text()

    (build / "cdsw-build.sh").unlink()
    (build / "requirements.txt").write_text("no-such-package-anywhere==1.0\n")
    with pytest.raises(EnvironmentFailed) as failed:
        ensure_env(
            tmp_path / "envs" / "bad",
            install=lambda e: install_build_recipe(
                e, build, child_env=OFFLINE, log=log, timeout_s=60
            ),
        )
    assert str(failed.value).startswith("pip install -r requirements.txt exited with code 1")
    assert "No matching distribution found for no-such-package-anywhere" in str(failed.value)
    assert not (tmp_path / "envs" / "bad").exists()


def test_a_build_whose_env_is_gone_is_refused_rather_than_run_on_the_labs_python(tmp_path):
    settings = WorkspaceSettings(home=tmp_path / "lab")
    build = tmp_path / "build"
    build.mkdir()
    assert build_python(settings, build) is None  # nothing to install: the lab's interpreter

    (build / "requirements.txt").write_text("probe\n")
    path = build_env_path(settings, build_recipe(build))
    ensure_env(path)
    assert build_python(settings, build) == PythonEnv(path)

    shutil.rmtree(path)
    with pytest.raises(EnvironmentFailed, match="is gone; build the model again"):
        build_python(settings, build)
