"""Paths a user names inside a folder the workspace owns (a project, a build).

Why one check: a job's script, a build's entry point and a replica's file are all user input; each
must resolve (symlinks followed) to a file below its folder, or be refused with the same reason.
"""

from __future__ import annotations

from pathlib import Path


class OutsideFolder(ValueError):
    """The path leaves its folder, or names no file there; the message says which."""


def file_inside(root: Path, relative: str, *, what: str, folder: str) -> Path:
    """``root / relative`` resolved, when it is a file below ``root``; ``what`` names the field
    and ``folder`` the folder in the message (``"script 'x.py' leaves the project folder"``)."""
    base = root.resolve()
    target = (base / relative).resolve()
    if Path(relative).is_absolute() or not target.is_relative_to(base):
        raise OutsideFolder(f"{what} '{relative}' leaves the {folder} folder")
    if not target.is_file():
        raise OutsideFolder(f"{what} '{relative}' does not exist in the {folder}")
    return target
