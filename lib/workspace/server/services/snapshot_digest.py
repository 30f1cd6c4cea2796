"""One SHA-256 over a build's files, so a prediction can be traced to exactly the code it ran.

Why over paths and contents, sorted: two snapshots with the same files give the same digest
whatever order the copy wrote them in, and a renamed file changes it. Bytecode caches are left
out: the import check and replicas write them into the snapshot after it was taken.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

SKIPPED_DIRS = {"__pycache__"}
CHUNK = 1 << 20


def folder_sha256(folder: Path) -> str:
    """Hex SHA-256 of every regular file under ``folder``: relative path, NUL, content digest."""
    entries = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
        for name in files:
            path = Path(root, name)
            if path.is_symlink() or not path.is_file():
                continue
            entries.append((path.relative_to(folder).as_posix(), _file_sha256(path)))
    digest = hashlib.sha256()
    for relative, content in sorted(entries):
        digest.update(f"{relative}\0{content}\n".encode())
    return digest.hexdigest()


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
