"""Notebook sessions: JupyterLab with jupytext in a project's folder, in the background.

Why jupytext's contents manager: the numbered steps are percent-format scripts (``# %%`` cells);
with it the same ``.py`` file opens as a notebook and saves back as a script, so a session edits
exactly what a job runs, and opening one in the lab shows its cells (``lab_settings``). Why the
job environment: a cell must reach the same workspace, MLflow and lakehouse as the scheduled step.
Why the project's Python environment: notebook kernels run its interpreter and terminals have its
``bin`` first, so ``pip install`` in a terminal, ``!pip`` or ``%pip`` in a cell installs for the
project's jobs too, never into the lab. A small JSON file
under LAB_HOME/sessions remembers the process so ``workspace session --stop`` in another terminal
can find it.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import requests

from workspace.client import NotFound, ProjectOut, WorkspaceClient
from workspace.core.config import WorkspaceSettings
from workspace.lab_settings import write_session_settings
from workspace.processes.environment import ProjectIdentity, child_environment
from workspace.processes.groups import (
    log_tail,
    signal_group,
    start_in_group,
    started_at,
    still_ours,
    stop_group_by_pid,
)
from workspace.processes.python_envs import ensure_env, project_env_path
from workspace.processes.run_as import RunAs


class SessionError(Exception):
    """A session could not be started or stopped; the message says what to do."""


@dataclass
class SessionInfo:
    project_id: str
    project_name: str
    pid: int
    started: float
    port: int
    token: str
    log_path: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/lab?token={self.token}"


def _sessions_dir(settings: WorkspaceSettings) -> Path:
    return settings.lab_home / "sessions"


def _alive(info: SessionInfo) -> bool:
    """True when the recorded pid is still the JupyterLab we started (not a reused pid)."""
    return still_ours(info.pid, info.started)


def find_session(settings: WorkspaceSettings, project: str) -> SessionInfo | None:
    """The recorded session of a project given by id or name, whether or not it still runs."""
    for path in sorted(_sessions_dir(settings).glob("*.json")):
        with contextlib.suppress(OSError, ValueError, TypeError):
            info = SessionInfo(**json.loads(path.read_text()))
            if project in (info.project_id, info.project_name):
                return info
    return None


def resolve_project(client: WorkspaceClient, ref: str) -> ProjectOut:
    """A project by id, else by exact name."""
    with contextlib.suppress(NotFound):
        return client.get_project(project_id=ref)
    named = [p for p in client.list_projects(search_filter={"name": ref}).projects if p.name == ref]
    if not named:
        raise SessionError(f"no project with id or name '{ref}'; list them with the API client")
    return named[0]


def start_session(
    settings: WorkspaceSettings, client: WorkspaceClient, ref: str, *, timeout: float = 120
) -> tuple[SessionInfo, bool]:
    """Start JupyterLab for the project (or find the one running); returns it and whether it is
    new."""
    project = resolve_project(client, ref)
    identity = ProjectIdentity(project.id, project.name, project.owner.username)
    return launch_session(
        settings, identity, project.environment, client.http.api_key, timeout=timeout
    )


def launch_session(
    settings: WorkspaceSettings,
    project: ProjectIdentity,
    environment: dict[str, str],
    api_key: str | None,
    *,
    timeout: float = 120,
    run_as: RunAs | None = None,
) -> tuple[SessionInfo, bool]:
    """JupyterLab in the project's folder with the job environment and ``api_key`` (the key of
    whoever asked for it); the one running is returned as it is. What the CLI and the console's
    "start session" both call, the console without going through its own HTTP API.

    ``run_as``: the server's account for user code. A session started by the server runs the
    notebooks' code as that account, as a job does: its HOME is the project folder (as in CML),
    the folder, the project's env and the session's runtime folder are the account's, and
    nothing else under LAB_HOME is readable to it."""
    running = find_session(settings, project.id)
    if running and _alive(running):
        return running, False
    folder = settings.projects_dir / project.id
    if not folder.is_dir():
        raise SessionError(
            f"the files of project '{project.name}' are not on this machine ({folder}); "
            "start the session where the workspace runs"
        )
    home = _sessions_dir(settings) / project.id
    home.mkdir(parents=True, exist_ok=True)
    lab_settings = write_session_settings(home / "lab-settings")  # before home is the account's
    env = child_environment(
        settings,
        project=project,
        api_key=api_key,
        layers=[environment],
        home=folder if run_as else None,
    )
    python = ensure_env(project_env_path(settings, project.id))
    if run_as is not None:
        _sessions_dir(settings).chmod(0o711)  # traversable to the account, never listable
        for owned in (folder, python.path, home):
            run_as.give(owned)
    env = python.activate(env)
    # JupyterLab itself is the lab's; its python3 kernel spec comes from the project's env.
    env["JUPYTER_PATH"] = os.pathsep.join(
        p for p in (str(python.jupyter_dir), env.get("JUPYTER_PATH")) if p
    )
    env["JUPYTER_RUNTIME_DIR"] = str(home / "runtime")
    port, token = _free_port(), secrets.token_hex(24)
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--ServerApp.port={port}"]
    command += ["--ServerApp.port_retries=0", "--ServerApp.ip=127.0.0.1"]
    command += [f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={folder}"]
    command += ["--ServerApp.contents_manager_class=jupytext.TextFileContentsManager"]
    command.append(f"--LabApp.app_settings_dir={lab_settings}")
    # the tabs a project's lab reopens are its own, never those of another project's session
    command.append(f"--LabApp.workspaces_dir={home / 'workspaces'}")
    if os.geteuid() == 0:  # containers often run as root; JupyterLab refuses that by default
        command.append("--allow-root")
    log_path = settings.logs_dir / f"session-{project.id}.log"
    proc = start_in_group(command, cwd=folder, env=env, log_path=log_path, run_as=run_as)
    started = started_at(proc.pid)
    info = SessionInfo(project.id, project.name, proc.pid, started, port, token, str(log_path))
    record = _sessions_dir(settings) / f"{project.id}.json"
    record.write_text(json.dumps(asdict(info)))
    record.chmod(0o600)  # its token opens the notebooks
    deadline = time.monotonic() + timeout
    while not _answers(info):
        if proc.poll() is not None or time.monotonic() > deadline:
            why = "exited" if proc.poll() is not None else f"did not answer in {timeout:g} s"
            signal_group(proc.pid, signal.SIGKILL)
            proc.wait(10)
            stop_session(settings, project.id)
            tail = log_tail(log_path, lines=15)
            raise SessionError(f"JupyterLab {why}; last log lines:\n{tail}")
        time.sleep(0.25)
    return info, True


def stop_session(settings: WorkspaceSettings, project: str, *, timeout: float = 20) -> bool:
    """Stop the project's session and every process it started; False when none was running."""
    info = find_session(settings, project)
    if info is None:
        return False
    was_running = stop_group_by_pid(info.pid, info.started, grace_s=timeout / 2)
    (_sessions_dir(settings) / f"{info.project_id}.json").unlink(missing_ok=True)
    return was_running


def _answers(info: SessionInfo) -> bool:
    try:
        url = f"http://127.0.0.1:{info.port}/api/status"
        return requests.get(url, params={"token": info.token}, timeout=1).ok
    except requests.RequestException:
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
