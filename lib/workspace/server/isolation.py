"""Keep user code away from the workspace's own state: choose the account it runs as, and make
what the server keeps in LAB_HOME readable by the server alone.

Why a probe: an account can only run user code if it can start this server's Python and reach
the project folders; a root server whose interpreter lives in root's home (pyenv) cannot hand
code to ``nobody``. A named ``LAB_RUN_AS_USER`` that cannot is refused at start with the reason;
the implicit ``nobody`` falls back to the server's own account, and says so in the log.

What the account may reach: its project folders and build snapshots (given to it), the lakehouse
and MLflow (over their URLs and the warehouse the operator gives it). What it may not: LAB_HOME's
database, credentials, logs and every other file there (0700/0600, and the server's umask 077 for
everything written later).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

from workspace.core.config import WorkspaceSettings
from workspace.processes.accounts import (
    PER_PROJECT,
    AccountError,
    Accounts,
    ProjectAccounts,
    SharedAccount,
)
from workspace.processes.environment import LIB_DIR
from workspace.processes.run_as import DEFAULT_ACCOUNT, RunAs

log = logging.getLogger(__name__)


class RunAsUnusable(RuntimeError):
    """LAB_RUN_AS_USER names an account that cannot run user code here."""


def account_for_user_code(settings: WorkspaceSettings) -> Accounts | None:
    """The accounts jobs, import checks, replicas and sessions run as (one shared, or one per
    project with ``LAB_RUN_AS_USER=per-project``), or None for the server's own."""
    named = settings.run_as_user
    if not named and os.geteuid() != 0:
        return None
    per_project = named == PER_PROJECT
    if per_project and os.geteuid() != 0:
        raise RunAsUnusable(f"LAB_RUN_AS_USER={PER_PROJECT} needs the server to run as root")
    try:
        run_as = RunAs.named(DEFAULT_ACCOUNT if per_project else named or DEFAULT_ACCOUNT)
    except ValueError as exc:
        if named:
            raise RunAsUnusable(str(exc)) from None
        log.warning("user code runs as root: %s", exc)
        return None
    open_paths(settings)
    why = _cannot_run(run_as, settings.projects_dir)  # for per-project: any account's reach
    if why is None:
        accounts = _per_project_accounts() if per_project else SharedAccount(run_as)
        lock_down(settings)
        log.info("user code runs %s", accounts.describe())
        return accounts
    if named:
        raise RunAsUnusable(f"LAB_RUN_AS_USER={named} cannot run user code here: {why}")
    log.warning("user code runs as the server's account: %s cannot run it (%s)", run_as.name, why)
    return None


def _per_project_accounts() -> ProjectAccounts:
    try:
        return ProjectAccounts()
    except AccountError as exc:
        raise RunAsUnusable(f"LAB_RUN_AS_USER={PER_PROJECT}: {exc}") from None


def open_paths(settings: WorkspaceSettings) -> set[Path]:
    """LAB_HOME and the folders user code works in (projects, build snapshots, Python
    environments) made traversable, not listable; the entries of LAB_HOME among them."""
    envs = settings.envs_dir
    shared = {settings.projects_dir, settings.builds_dir, envs}
    for folder in (*shared, envs / "projects", envs / "builds"):
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o711)
    settings.lab_home.chmod(0o711)
    return shared


def lock_down(settings: WorkspaceSettings) -> None:
    """Every other entry of LAB_HOME private, and whatever this process writes from now on."""
    shared = open_paths(settings)
    for entry in settings.lab_home.iterdir():
        if entry not in shared and not entry.is_symlink():
            entry.chmod(0o700 if entry.is_dir() else 0o600)
    os.umask(0o077)


def _cannot_run(run_as: RunAs, cwd: Path) -> str | None:
    """Why ``run_as`` cannot start this Python in ``cwd`` and import the lab; None when it can."""
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": _python_path()}
    try:
        probe = subprocess.run(
            [sys.executable, "-c", "import workspace"],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            **run_as.popen_args(),
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return f"{type(exc).__name__}: {exc}"
    if probe.returncode != 0:
        return (probe.stderr.strip().splitlines() or [f"exit code {probe.returncode}"])[-1]
    return None


def _python_path() -> str:
    return os.pathsep.join(p for p in (LIB_DIR, os.environ.get("PYTHONPATH")) if p)
