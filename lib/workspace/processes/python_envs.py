"""Python environments of projects and model builds, layered over the lab's own interpreter.

Why: a project installs what it needs (``pip install -r requirements.txt`` in a job or a session,
``cdsw-build.sh`` in a model build) without touching the lab's environment or another project's, as
CML runtimes give every project its own. Every package of the lab (cdsw, cmlapi, mlflow, pandas)
stays importable and counts as installed, so an environment holds only what a project adds.

How: ``python -m venv --without-pip`` (milliseconds, no ensurepip) plus a ``.pth`` file that adds
the lab's site-packages after the environment's own. Not ``--system-site-packages``: a venv made
from the lab's venv layers over the *base* interpreter, not over the lab. ``bin/pip`` runs the lab's
pip with the environment's interpreter, and pip installs into the prefix of the interpreter that
runs it; a lab package pip would upgrade is shadowed in the environment, never uninstalled.

Why built in place under a lock rather than renamed into place: a virtual environment is not
relocatable (pip writes its absolute path into every script it installs). An environment counts
once its ``READY`` marker is written; anything under its name without one is wiped and made again.

Example::

    env = ensure_env(settings.envs_dir / "projects" / project_id)
    subprocess.run([env.python, "job.py"], env=env.activate(os.environ))
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import sysconfig
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from workspace.core.config import WorkspaceSettings
from workspace.processes.groups import start_in_group, stop_group
from workspace.processes.run_as import RunAs

READY = "READY"
"""Written last: an environment without it is half-made."""

BUILD_SCRIPT = "cdsw-build.sh"
REQUIREMENTS = "requirements.txt"
FAILURE_LINES = 12
"""How many of the installer's last lines a failed build's reason carries."""

PIP_SHIM = '#!/bin/sh\nexec "$(dirname "$0")/python" -m pip "$@"\n'


class EnvironmentFailed(Exception):
    """Making an environment or installing into it failed; the message ends with the last lines
    of the installer's output."""


@dataclass(frozen=True)
class PythonEnv:
    """One environment: its folder, its interpreter, and the variables that put it first."""

    path: Path

    @property
    def bin_dir(self) -> Path:
        return self.path / "bin"

    @property
    def python(self) -> str:
        return str(self.bin_dir / "python")

    @property
    def jupyter_dir(self) -> Path:
        """Holds the ``python3`` kernel spec that starts notebook kernels with this interpreter."""
        return self.path / "share" / "jupyter"

    def activate(self, env: Mapping[str, str]) -> dict[str, str]:
        """``env`` as an activated venv has it: its ``bin`` first on PATH, VIRTUAL_ENV set."""
        out = {k: v for k, v in env.items() if k != "PYTHONHOME"}
        out["PATH"] = os.pathsep.join([str(self.bin_dir), env.get("PATH", os.defpath)])
        out["VIRTUAL_ENV"] = str(self.path)
        return out


def lab_site_packages() -> list[str]:
    """Where the lab's own packages live (those of the interpreter running the workspace)."""
    paths = sysconfig.get_paths()
    return list(dict.fromkeys([paths["purelib"], paths["platlib"]]))


def ensure_env(path: Path, *, install: Callable[[PythonEnv], None] | None = None) -> PythonEnv:
    """The environment at ``path``, made first when it is not ready, then ``install`` run in it;
    two callers of the same path wait for each other; a failure leaves no folder behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    env = PythonEnv(path)
    with _locked(_lock_path(path)):
        if (path / READY).is_file():
            return env
        shutil.rmtree(path, ignore_errors=True)  # half-made by a crash
        try:
            _create(env)
            if install is not None:
                install(env)
            (path / READY).write_text(time.strftime("%Y-%m-%dT%H:%M:%S%z\n"))
        except BaseException:
            shutil.rmtree(path, ignore_errors=True)
            raise
    return env


def ready_env(path: Path) -> PythonEnv | None:
    """The environment at ``path`` when it is complete, else None."""
    return PythonEnv(path) if (path / READY).is_file() else None


def remove_env(path: Path) -> None:
    """Remove an environment and its lock (a deleted project's)."""
    with _locked(_lock_path(path)):
        shutil.rmtree(path, ignore_errors=True)
    _lock_path(path).unlink(missing_ok=True)


def build_recipe(build_dir: Path) -> str | None:
    """The key of the environment a build snapshot needs: sha256 of its ``cdsw-build.sh`` and
    ``requirements.txt``, the Python version, the lab it layers over and the account that owns
    the snapshot; None when it has neither file (the build runs with the lab's interpreter, at
    no extra cost). Why the owner: where each project's code runs as an account of its own, an
    environment one project's recipe made is that account's, never another project's."""
    files = [build_dir / BUILD_SCRIPT, build_dir / REQUIREMENTS]
    if not any(f.is_file() for f in files):
        return None
    digest = hashlib.sha256()
    owner = str(build_dir.stat().st_uid)
    parts = (platform.python_implementation(), platform.python_version(), owner)
    for part in (*parts, *lab_site_packages()):
        digest.update(part.encode() + b"\0")
    for f in files:
        digest.update(f.name.encode() + b"\0")
        digest.update(f.read_bytes() if f.is_file() else b"<absent>")
        digest.update(b"\0")
    return digest.hexdigest()


def install_build_recipe(
    env: PythonEnv,
    build_dir: Path,
    *,
    child_env: Mapping[str, str],
    log: Path,
    timeout_s: float,
    run_as: RunAs | None = None,
) -> None:
    """Run ``cdsw-build.sh`` (CML's convention) with bash, else ``pip install -r
    requirements.txt``, in ``build_dir`` with ``env`` first on PATH; output appended to ``log``.
    Both are user code: they run as ``run_as`` when given, which then owns the environment."""
    if run_as is not None:
        run_as.give(env.path)
    if (build_dir / BUILD_SCRIPT).is_file():
        command, what = ["bash", BUILD_SCRIPT], BUILD_SCRIPT
    else:
        command = [env.python, "-m", "pip", "install", "--no-input", "-r", REQUIREMENTS]
        what = f"pip install -r {REQUIREMENTS}"
    log.touch()
    start = log.stat().st_size
    proc = start_in_group(
        command,
        cwd=build_dir,
        env=env.activate(child_env),
        log_path=log,
        header=what,
        run_as=run_as,
    )
    try:
        code = proc.wait(timeout_s)
    except subprocess.TimeoutExpired:
        raise EnvironmentFailed(f"{what} took longer than {timeout_s:.0f} s") from None
    finally:
        stop_group(proc)  # whatever the script left running goes with it
    if code != 0:
        tail = _output_tail(log, start)
        raise EnvironmentFailed(f"{what} exited with code {code}; its last lines:\n{tail}")


def _output_tail(log: Path, start: int) -> str:
    """The installer's last lines: what it wrote to ``log`` after ``start``, less our header."""
    with log.open("rb") as fh:
        fh.seek(start)
        lines = fh.read().decode(errors="replace").splitlines()[1:]
    return "\n".join(lines[-FAILURE_LINES:])


def _create(env: PythonEnv) -> None:
    """A bare venv over the lab's interpreter, the lab's packages behind its own, pip on its
    bin, and a notebook kernel spec that starts its interpreter."""
    made = subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(env.path)],
        capture_output=True,
        text=True,
    )
    if made.returncode != 0:
        raise EnvironmentFailed(f"python -m venv failed: {made.stderr.strip()}")
    # The venv scheme, not the interpreter's default: Debian's system Python would otherwise
    # name its local/.../dist-packages, which a venv does not have.
    scheme = "venv" if "venv" in sysconfig.get_scheme_names() else None
    where = {"base": str(env.path), "platbase": str(env.path)}
    site_packages = Path(sysconfig.get_path("purelib", scheme, vars=where))
    lines = [f"import site; site.addsitedir({p!r})" for p in lab_site_packages()]
    (site_packages / "_lab_runtime.pth").write_text("\n".join(lines) + "\n")
    for name in ("pip", "pip3", f"pip{sys.version_info.major}.{sys.version_info.minor}"):
        shim = env.bin_dir / name
        shim.write_text(PIP_SHIM)
        shim.chmod(0o755)
    kernel = env.jupyter_dir / "kernels" / "python3"
    kernel.mkdir(parents=True)
    spec = {
        "argv": [env.python, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (project)",
        "language": "python",
    }
    (kernel / "kernel.json").write_text(json.dumps(spec, indent=1))


def _lock_path(path: Path) -> Path:
    """Locks sit apart, so a folder of environments lists environments only."""
    return path.parent / ".locks" / f"{path.name}.lock"


@contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    """An exclusive lock other processes (the server, a session's CLI) respect too."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def project_env_path(settings: WorkspaceSettings, project_id: str) -> Path:
    """The environment every job run and session of one project shares."""
    return settings.envs_dir / "projects" / project_id


def build_env_path(settings: WorkspaceSettings, recipe: str) -> Path:
    """The environment every build with the same recipe (see ``build_recipe``) shares."""
    return settings.envs_dir / "builds" / recipe


def build_python(settings: WorkspaceSettings, build_dir: Path) -> PythonEnv | None:
    """The environment a built snapshot runs with (None: the lab's interpreter); raises when the
    recipe's environment is gone since the build, so a replica never runs without it."""
    recipe = build_recipe(build_dir)
    if recipe is None:
        return None
    env = ready_env(build_env_path(settings, recipe))
    if env is None:
        raise EnvironmentFailed(
            f"the Python environment of this build ({recipe[:12]}) is gone; build the model again"
        )
    return env
