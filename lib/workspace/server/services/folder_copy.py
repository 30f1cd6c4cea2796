"""Copy a project folder without ever leaving it: for projects from server folders and for
build snapshots.

Why not ``shutil.copytree``: with ``symlinks=False`` it follows every link, so a project holding
``secrets -> /etc`` (or a git repository committing one) copied files from anywhere on the
server into the workspace; a dangling link or a loop raised halfway and left a partial copy.

Rules: a link whose target stays inside the folder is copied as the file it points to; a link to
a folder inside is skipped (its files are copied where they really are, and a link can never make
a loop); a link out of the folder, a dangling link and a link loop refuse the whole copy with the
link's name. Sockets, FIFOs and devices are skipped. The copy stops at ``max_bytes``. On any
refusal the destination is removed, so nothing is left behind.
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Callable, Iterable
from pathlib import Path

MB = 1024 * 1024
CHUNK = 1024 * 1024

Ignore = Callable[[str, list[str]], Iterable[str]]


def _size(count: int) -> str:
    return f"{count / MB:g} MB" if count >= MB else f"{count} bytes"


class FolderCopyError(ValueError):
    """Why a folder could not be copied, in one line."""


def copy_folder(
    source: Path,
    dest: Path,
    *,
    max_bytes: int,
    ignore: Ignore | None = None,
    excluded: Iterable[Path] = (),
) -> int:
    """Copy ``source`` to a new ``dest`` by the rules above; the bytes copied. ``excluded``
    folders (the workspace's own state) are never copied even if they sit inside."""
    root = Path(os.path.realpath(source))
    skip = {Path(os.path.realpath(p)) for p in excluded}
    copier = _Copier(root, max_bytes, ignore, skip)
    try:
        dest.mkdir(parents=True)
        copier.copy_tree(root, dest)
    except BaseException:
        shutil.rmtree(dest, ignore_errors=True)
        raise
    return copier.copied


class _Copier:
    def __init__(self, root: Path, max_bytes: int, ignore: Ignore | None, skip: set[Path]):
        self.root = root
        self.max_bytes = max_bytes
        self.ignore = ignore
        self.skip = skip
        self.copied = 0

    def _name(self, path: Path) -> str:
        return str(path.relative_to(self.root))

    def copy_tree(self, folder: Path, dest: Path) -> None:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            raise FolderCopyError(f"cannot read '{self._name(folder)}': {exc.strerror}") from None
        ignored = set(self.ignore(str(folder), [e.name for e in entries])) if self.ignore else set()
        for entry in entries:
            if entry.name in ignored:
                continue
            path, target = Path(entry.path), dest / entry.name
            if entry.is_symlink():
                self._copy_link(path, target)
            elif entry.is_dir(follow_symlinks=False):
                if path in self.skip:
                    continue
                target.mkdir()
                self.copy_tree(path, target)
            elif entry.is_file(follow_symlinks=False):
                self._copy_file(path, target)

    def _copy_link(self, link: Path, target: Path) -> None:
        name = self._name(link)
        try:
            resolved = Path(os.path.realpath(link, strict=True))
        except FileNotFoundError:
            raise FolderCopyError(f"symlink '{name}' points to nothing (a dangling link)") from None
        except OSError as exc:
            raise FolderCopyError(f"symlink '{name}' cannot be followed: {exc.strerror}") from None
        if not resolved.is_relative_to(self.root):
            raise FolderCopyError(f"symlink '{name}' points outside the folder")
        mode = os.stat(resolved).st_mode
        if stat.S_ISREG(mode):
            self._copy_file(resolved, target, shown=name)

    def _copy_file(self, path: Path, target: Path, *, shown: str | None = None) -> None:
        """Copy one regular file, refusing to follow a link swapped in since it was listed."""
        shown = shown or self._name(path)
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError as exc:
            raise FolderCopyError(f"cannot read '{shown}': {exc.strerror}") from None
        with os.fdopen(fd, "rb") as src, target.open("wb") as out:
            while chunk := src.read(CHUNK):
                self.copied += len(chunk)
                if self.copied > self.max_bytes:
                    raise FolderCopyError(
                        f"the folder holds more than {_size(self.max_bytes)} "
                        "(LAB_PROJECT_MAX_BYTES)"
                    )
                out.write(chunk)
        shutil.copymode(path, target)
