"""Project folders in the workspace: copied from a local folder or cloned from git.

Why copy: a project must not change under a build because someone edits the folder it came from;
builds then snapshot the workspace copy, never the user's working tree.
"""

from __future__ import annotations

import shutil
import subprocess
from concurrent.futures import Executor
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from workspace.schemas.states import ProjectStatus
from workspace.server.services.errors import InvalidRequest
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


def copy_local(source: str, dest: Path) -> None:
    src = Path(source).expanduser()
    if not src.is_dir():
        raise ProjectFilesError(f"local_path '{source}' is not a folder on the server")
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(src.resolve(), dest, ignore=IGNORED, symlinks=False)


def clone_git(url: str, dest: Path, *, timeout_s: float = 600) -> None:
    if dest.exists():
        shutil.rmtree(dest)
    try:
        subprocess.run(
            ["git", "clone", "--depth", "1", "--quiet", url, str(dest)],
            check=True,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            env={"GIT_TERMINAL_PROMPT": "0", "PATH": "/usr/bin:/bin:/usr/local/bin"},
        )
    except subprocess.CalledProcessError as exc:
        last = (exc.stderr or "").strip().splitlines()
        raise ProjectFilesError(f"git clone failed: {last[-1] if last else exc}") from None
    except subprocess.TimeoutExpired:
        raise ProjectFilesError(f"git clone of {url} took longer than {timeout_s:.0f} s") from None
    except FileNotFoundError:
        raise ProjectFilesError("git is not installed on the server") from None


def make_blank(dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)


class ProjectFiles:
    """Each project's folder under ``projects_dir``: made when the project is created (a git
    clone in the background, since it can take minutes), removed with it."""

    def __init__(self, projects_dir: Path, sessions: sessionmaker, executor: Executor) -> None:
        self.projects_dir = projects_dir
        self.sessions = sessions
        self.executor = executor

    def folder(self, project_id: str) -> Path:
        return self.projects_dir / project_id

    def create(self, session: Session, project: db.Project) -> None:
        """Save a new project and fill its folder. A copy or a blank folder is made first, so a
        refused path saves nothing; a git project is saved 'creating' and cloned afterwards."""
        dest = self.folder(project.id)
        if project.template == "git":
            session.add(project)
            session.commit()
            self.executor.submit(self._clone, project.id, project.git_url or "", dest)
            return
        if project.template == "local":
            copy_local(project.local_path or "", dest)
        else:
            make_blank(dest)
        project.status = ProjectStatus.SUCCESS
        session.add(project)
        session.commit()

    def remove(self, project_id: str) -> None:
        shutil.rmtree(self.folder(project_id), ignore_errors=True)

    def _clone(self, project_id: str, url: str, dest: Path) -> None:
        status, reason = ProjectStatus.SUCCESS, None
        try:
            clone_git(url, dest)
        except ProjectFilesError as exc:
            status, reason = ProjectStatus.FAILED, str(exc)
        with self.sessions() as session:
            project = session.get(db.Project, project_id)
            if project is not None:
                project.status, project.failure_reason = status, reason
                session.commit()
