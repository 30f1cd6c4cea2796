"""Project folders in the workspace: copied from a local folder or cloned from git.

Why copy: a project must not change under a build because someone edits the folder it came from;
builds then snapshot the workspace copy, never the user's working tree.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

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


class ProjectFilesError(Exception):
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
