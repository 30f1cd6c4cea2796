"""The unprivileged OS account user code runs as, where the server can switch to one.

Why: a job, an import check, a replica or a session runs code the workspace did not write; run as
the server's own account it could read the workspace database, its credentials and its logs.
When the server runs as root, or ``LAB_RUN_AS_USER`` names an account, children are started as
that account instead (set in the child between fork and exec, with no extra groups), and the
workspace's own state is kept readable by the server alone.

Example::

    run_as = RunAs.configured()          # None: single-user default, children run as we do
    subprocess.Popen(cmd, **run_as.popen_args()) if run_as else subprocess.Popen(cmd)
"""

from __future__ import annotations

import os
import pwd
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_ACCOUNT = "nobody"
"""Who user code runs as when the server is root and no account is named."""


@dataclass(frozen=True)
class RunAs:
    name: str
    uid: int
    gid: int

    @classmethod
    def named(cls, name: str) -> RunAs:
        """The account ``name``; ``ValueError`` when this machine has none, or it is root."""
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            raise ValueError(f"LAB_RUN_AS_USER names no account of this machine: {name}") from None
        if entry.pw_uid == 0:
            raise ValueError(f"LAB_RUN_AS_USER must be unprivileged, {name} is root")
        return cls(name, entry.pw_uid, entry.pw_gid)

    @classmethod
    def configured(cls, name: str | None = None) -> RunAs | None:
        """``name`` (default ``LAB_RUN_AS_USER``), else ``nobody`` when we are root, else None:
        a server that is neither root nor told an account cannot switch, and says so in the
        README."""
        name = name or os.environ.get("LAB_RUN_AS_USER") or None
        if name:
            return cls.named(name)
        return cls.named(DEFAULT_ACCOUNT) if os.geteuid() == 0 else None

    def popen_args(self) -> dict[str, Any]:
        """Keyword arguments of ``subprocess.Popen`` that start the child as this account, with
        umask 007: what it writes is its group's too (a shared warehouse), never everyone's."""
        if os.geteuid() == self.uid:
            return {}
        return {"user": self.uid, "group": self.gid, "extra_groups": [], "umask": 0o007}

    def give(self, path: Path) -> None:
        """Make ``path`` (a project folder, a build snapshot) and everything below it this
        account's, so its code can read and write it; links are changed, never followed."""
        if os.geteuid() != 0:
            return
        for root, dirs, files in os.walk(path):
            os.chown(root, self.uid, self.gid, follow_symlinks=False)
            for name in dirs + files:
                os.chown(os.path.join(root, name), self.uid, self.gid, follow_symlinks=False)


def keep_private(path: Path) -> None:
    """The server's own state (its database, credentials, logs) readable by the server alone."""
    path.chmod(0o700 if path.is_dir() else 0o600)
