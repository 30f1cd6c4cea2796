"""Where a project's files may come from: which server folders and which git URLs.

Why a policy of its own: a project copied from ``/etc/ssh`` or from the workspace's own state
folder hands its files to every collaborator (and to user code), and a git URL is handed to a
program with options of its own (``--upload-pack=...``) and transports that run commands
(``ext::``). So: server folders are for site admins, below ``LAB_PROJECT_ROOTS`` and never inside
``LAB_HOME`` (a folder that holds it is copied without it); git URLs are https, ssh (also
``user@host:path``) or git for everyone, and ``file://`` for site admins under the same rules as
a folder.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from workspace.core.config import WorkspaceSettings
from workspace.server.services.errors import Forbidden, InvalidRequest

GIT_SCHEMES = ("https", "ssh", "git")
SCP_LIKE = re.compile(r"^[A-Za-z0-9._~-]+@[A-Za-z0-9][A-Za-z0-9.-]*:[^:]")
"""``git@github.com:owner/repo.git``: git's ssh shorthand (a user, a host, a colon, a path)."""


@dataclass(frozen=True)
class ProjectSources:
    """The folders and URLs projects may be made from, and who may use which."""

    roots: tuple[Path, ...]
    lab_home: Path

    @classmethod
    def of(cls, settings: WorkspaceSettings) -> ProjectSources:
        return cls(tuple(settings.project_source_roots), settings.lab_home)

    def server_folder(self, local_path: str, *, site_admin: bool, must_exist: bool = True) -> Path:
        """The real folder ``local_path`` names, if a project may be copied from it (a git clone
        of a ``file://`` URL that names nothing fails as a clone, so it need not exist)."""
        if not site_admin:
            raise Forbidden(
                "only workspace admins create projects from server folders (template 'local')"
            )
        folder = Path(os.path.realpath(Path(local_path).expanduser()))
        # A folder holding LAB_HOME (the checkout holds .lab/) is fine: the copy leaves it out.
        if folder.is_relative_to(self.lab_home):
            raise InvalidRequest(
                f"local_path '{local_path}' is the workspace's own state folder (LAB_HOME)"
            )
        if not any(folder.is_relative_to(root) for root in self.roots):
            shown = os.pathsep.join(str(r) for r in self.roots) or "none configured"
            raise InvalidRequest(
                f"local_path '{local_path}' is not below a folder of LAB_PROJECT_ROOTS ({shown})"
            )
        if must_exist and not folder.is_dir():
            raise InvalidRequest(f"local_path '{local_path}' is not a folder on the server")
        return folder

    def git_url(self, url: str, *, site_admin: bool) -> str:
        """``url`` if git may clone it: no option-like or multi-line text, an allowed scheme."""
        if url.startswith("-") or any(ch.isspace() or ord(ch) < 32 for ch in url):
            raise InvalidRequest("git_url must be one URL: no spaces, no leading '-'")
        if SCP_LIKE.match(url) and "://" not in url:
            return url
        parts = urlsplit(url)
        if parts.scheme == "file":
            self.server_folder(unquote(parts.path), site_admin=site_admin, must_exist=False)
            return url
        host = parts.netloc.rpartition("@")[2]
        if host.startswith("-") or (parts.username and parts.username.startswith("-")):
            raise InvalidRequest("git_url must name a host and user that do not start with '-'")
        if parts.scheme not in GIT_SCHEMES or not parts.netloc:
            raise InvalidRequest(
                "git_url must be an https://, ssh://, git:// or user@host:path URL "
                "(file:// for workspace admins)"
            )
        return url

    @property
    def git_protocols(self) -> str:
        """GIT_ALLOW_PROTOCOL for the clone: what the checks let through, nothing else."""
        return ":".join((*GIT_SCHEMES, "file"))
