"""Which OS account a project's user code runs as: one shared account, or one per project.

Why per project: with one shared account, a job of one project can read another project's files,
its build snapshots and the environment of its running processes (``/proc/<pid>/environ``, with
that project's key in it), since all of them are the same account's. With
``LAB_RUN_AS_USER=per-project`` (a server running as root) each project's jobs, builds, replicas
and sessions run as an account of its own, ``lab-<project id>``, made on first use with
``useradd`` and removed with its project. All of them are members of one group, ``lab-users``,
and their code runs with umask 007, so what they write to a shared local warehouse (a folder of
that group, mode 2770) stays readable to the other projects, as a data lake is shared in CML.

Example::

    accounts = ProjectAccounts()
    run_as = accounts.for_project(project.id)   # RunAs("lab-4010-00d9-...", uid, gid)
    accounts.forget(project.id)                 # when the project is deleted
"""

from __future__ import annotations

import grp
import hashlib
import logging
import pwd
import re
import subprocess
import threading
from dataclasses import dataclass

from workspace.processes.run_as import RunAs

log = logging.getLogger(__name__)

PER_PROJECT = "per-project"
"""The value of ``LAB_RUN_AS_USER`` that asks for an account per project."""
GROUP = "lab-users"
PREFIX = "lab-"
_NAME_OK = re.compile(r"[a-z0-9-]{1,28}")


class AccountError(RuntimeError):
    """An account for user code could not be made; the message says what to do."""


@dataclass(frozen=True)
class SharedAccount:
    """Every project's code as one account (``LAB_RUN_AS_USER=<name>``, or ``nobody``)."""

    run_as: RunAs

    def for_project(self, project_id: str) -> RunAs:
        return self.run_as

    def forget(self, project_id: str) -> None:
        """Nothing to remove: the account is the operator's."""

    def describe(self) -> str:
        return f"as the account {self.run_as.name}"


class ProjectAccounts:
    """An account per project, members of ``group``; made the first time a project runs code."""

    def __init__(self, group: str = GROUP) -> None:
        self.group = group
        self.gid = _ensure_group(group)
        self._lock = threading.Lock()

    def for_project(self, project_id: str) -> RunAs:
        name = account_name(project_id)
        with self._lock:
            try:
                pwd.getpwnam(name)
            except KeyError:
                command = ["useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent"]
                command += ["--shell", "/usr/sbin/nologin", "--gid", self.group, "--", name]
                _run(command, f"cannot make the account {name} for project {project_id}")
        return RunAs.named(name)

    def forget(self, project_id: str) -> None:
        """Remove the project's account (its project was deleted); only ours, never another."""
        name = account_name(project_id)
        with self._lock:
            try:
                entry = pwd.getpwnam(name)
            except KeyError:
                return
            if entry.pw_gid != self.gid:
                log.warning("left account %s alone: it is not in the group %s", name, self.group)
                return
            try:
                _run(["userdel", "--", name], f"cannot remove the account {name}")
            except AccountError as exc:
                log.warning("%s", exc)

    def describe(self) -> str:
        return f"as an account per project (group {self.group})"


Accounts = SharedAccount | ProjectAccounts


def account_of(accounts: Accounts | None, project_id: str) -> RunAs | None:
    """The account ``project_id``'s code runs as; None: the server's own (single-user)."""
    return accounts.for_project(project_id) if accounts is not None else None


def account_name(project_id: str) -> str:
    """``lab-<project id>``; a digest of the id where it would not make a valid user name."""
    tail = project_id.lower()
    if not _NAME_OK.fullmatch(tail):
        tail = hashlib.sha256(project_id.encode()).hexdigest()[:24]
    return PREFIX + tail


def _ensure_group(group: str) -> int:
    try:
        return grp.getgrnam(group).gr_gid
    except KeyError:
        _run(["groupadd", "--system", "--", group], f"cannot make the group {group}")
        return grp.getgrnam(group).gr_gid


def _run(command: list[str], what: str) -> None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        raise AccountError(f"{what}: {exc}; install the 'passwd' package") from None
    if done.returncode != 0:
        why = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
        raise AccountError(f"{what}: {why}")
