"""LAB_HOME's modes: the folder 0700, the files at its top 0600, made so at every start.

Why at start and not only at creation: a home made by an older version, restored from a backup
or created under a loose umask keeps the workspace database, the admin's credentials and the pid
file readable by every account on the machine; with the folder closed, nothing under it can be
reached by another account whatever its own mode.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

FOLDER_MODE = 0o700
TRAVERSABLE_MODE = 0o711
"""When user code runs as another account, it must pass through LAB_HOME to its project folders
and build snapshots (``workspace.server.isolation`` opens those and closes every other entry);
it still cannot list LAB_HOME or open anything else in it."""
FILE_MODE = 0o600


def close_home(home: Path, *, traversable: bool = False) -> None:
    """Make ``home`` private to the server's account (links are left alone, never followed);
    ``traversable`` when user code runs as another account."""
    home.mkdir(parents=True, exist_ok=True)
    os.chmod(home, TRAVERSABLE_MODE if traversable else FOLDER_MODE)
    for entry in os.scandir(home):
        if entry.is_file(follow_symlinks=False):
            mode = stat.S_IMODE(entry.stat(follow_symlinks=False).st_mode)
            if mode & ~FILE_MODE:
                os.chmod(entry.path, mode & FILE_MODE)
