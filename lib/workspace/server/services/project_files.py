"""Project folders in the workspace: copied from a local folder or cloned from git.

Why copy: a project must not change under a build because someone edits the folder it came from;
builds then snapshot the workspace copy, never the user's working tree.
"""

from __future__ import annotations

import shutil
import subprocess
from concurrent.futures import Executor
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from workspace.core.config import WorkspaceSettings
from workspace.schemas.states import ProjectStatus
from workspace.server.services.errors import InvalidRequest
from workspace.server.services.folder_copy import FolderCopyError, copy_folder
from workspace.server.services.project_sources import ProjectSources
from workspace.server.storage import tables as db

IGNORED = shutil.ignore_patterns(
    ".git",
    "__pycache__",
    ".venv",
    ".lab",
    ".jars",
    ".web",
    ".pytest_cache",
    ".ruff_cache",
    "node_modules",
)


class ProjectFilesError(InvalidRequest):
    """A project folder could not be made; the message says why in one line."""


def copy_local(source: Path, dest: Path, *, max_bytes: int, excluded: tuple[Path, ...]) -> None:
    """Copy a checked server folder; links never lead out of it, nothing stays on a refusal."""
    if dest.exists():
        shutil.rmtree(dest)
    try:
        copy_folder(source, dest, max_bytes=max_bytes, ignore=IGNORED, excluded=excluded)
    except FolderCopyError as exc:
        raise ProjectFilesError(f"local_path '{source}' cannot be copied: {exc}") from None


def clone_git(url: str, dest: Path, *, protocols: str, timeout_s: float = 600) -> None:
    """A shallow clone of a checked URL; ``--`` ends the options, so no URL or path is one."""
    if dest.exists():
        shutil.rmtree(dest)
    env = {
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_ALLOW_PROTOCOL": protocols,
        "PATH": "/usr/bin:/bin:/usr/local/bin",
    }
    try:
        subprocess.run(
            ["git", "clone", "--depth", "1", "--quiet", "--", url, str(dest)],
            check=True,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            env=env,
        )
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(dest, ignore_errors=True)
        last = (exc.stderr or "").strip().splitlines()
        raise ProjectFilesError(f"git clone failed: {last[-1] if last else exc}") from None
    except subprocess.TimeoutExpired:
        shutil.rmtree(dest, ignore_errors=True)
        raise ProjectFilesError(f"git clone of {url} took longer than {timeout_s:.0f} s") from None
    except FileNotFoundError:
        raise ProjectFilesError("git is not installed on the server") from None


def make_blank(dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)


class ProjectFiles:
    """Each project's folder under ``projects_dir``: made when the project is created (a git
    clone in the background, since it can take minutes), removed with it."""

    def __init__(
        self,
        settings: WorkspaceSettings,
        sessions: sessionmaker,
        executor: Executor,
    ) -> None:
        self.projects_dir = settings.projects_dir
        self.sources = ProjectSources.of(settings)
        self.max_bytes = settings.project_max_bytes
        self.sessions = sessions
        self.executor = executor

    def folder(self, project_id: str) -> Path:
        return self.projects_dir / project_id

    def create(self, session: Session, project: db.Project, *, site_admin: bool) -> None:
        """Save a new project and fill its folder. Sources are checked and a copy or a blank
        folder is made first, so a refusal saves nothing; a git project is saved 'creating' and
        cloned afterwards."""
        dest = self.folder(project.id)
        if project.template == "git":
            url = self.sources.git_url(project.git_url or "", site_admin=site_admin)
            session.add(project)
            session.commit()
            self.executor.submit(self._clone, project.id, url, dest)
            return
        if project.template == "local":
            source = self.sources.server_folder(project.local_path or "", site_admin=site_admin)
            copy_local(source, dest, max_bytes=self.max_bytes, excluded=(self.sources.lab_home,))
        else:
            make_blank(dest)
        project.status = ProjectStatus.SUCCESS
        session.add(project)
        try:
            session.commit()
        except BaseException:
            shutil.rmtree(dest, ignore_errors=True)
            raise

    def restore(self) -> None:
        """After a crash: a git project left 'creating' is cloned again; any other one (its
        copy was cut short) fails with the reason, so no project stays 'creating' forever."""
        with self.sessions() as session:
            stuck = session.scalars(
                select(db.Project).where(db.Project.status == ProjectStatus.CREATING)
            ).all()
            for project in stuck:
                if project.template == "git" and project.git_url:
                    self.executor.submit(
                        self._clone, project.id, project.git_url, self.folder(project.id)
                    )
                else:
                    project.status = ProjectStatus.FAILED
                    project.failure_reason = "the server stopped while the project was created"
            session.commit()

    def remove(self, project_id: str) -> None:
        shutil.rmtree(self.folder(project_id), ignore_errors=True)

    def _clone(self, project_id: str, url: str, dest: Path) -> None:
        status, reason = ProjectStatus.SUCCESS, None
        try:
            clone_git(url, dest, protocols=self.sources.git_protocols)
        except ProjectFilesError as exc:
            status, reason = ProjectStatus.FAILED, str(exc)
        with self.sessions() as session:
            project = session.get(db.Project, project_id)
            if project is not None:
                project.status, project.failure_reason = status, reason
                session.commit()
