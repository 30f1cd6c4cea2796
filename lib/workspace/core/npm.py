"""Offline copies of npm packages: ``npm pack`` at setup into a git-ignored folder.

Why: pages the lab serves or writes (the console, the API docs, Folium maps) load JavaScript and
CSS that usually come from a CDN. On an air-gapped machine, in CI or in a browser test nothing from
a CDN loads. ``fetch`` downloads pinned packages from the npm registry once, at ``make setup``;
``package_file`` finds a file inside one afterwards.

Example::

    from workspace.core.npm import NpmFile, fetch, package_file
    fetch([NpmFile("htmx.org", "2.0.11", "dist/htmx.min.js")])
    package_file(NpmFile("htmx.org", "2.0.11", "dist/htmx.min.js"))   # Path or None

Other packages of the lab (the maps) run it as a command, ``python -m workspace.core.npm
[--root DIR] leaflet@1.9.3 ...``: the folder layout ``<root>/npm/<package@version>/`` is the
contract between them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from workspace.core.config import CHECKOUT_ROOT


class WebAssetsMissing(LookupError):
    """Offline copies a page needs were not fetched; the message says how to fetch them."""


@dataclass(frozen=True)
class NpmFile:
    """One file inside an npm package, e.g. ``leaflet@1.9.3`` / ``dist/leaflet.js``."""

    package: str
    version: str
    path: str

    @property
    def spec(self) -> str:
        return f"{self.package}@{self.version}"


def web_dir() -> Path:
    """Where fetched packages live: ``.web/`` in the checkout unless ``LAB_WEB_DIR`` is set."""
    return Path(os.environ.get("LAB_WEB_DIR") or CHECKOUT_ROOT / ".web").resolve()


def package_dir(file: NpmFile, root: Path | None = None) -> Path:
    return (root or web_dir()) / "npm" / file.spec.replace("/", "+")


def package_file(file: NpmFile, root: Path | None = None) -> Path | None:
    """The fetched file, or None when it is not here."""
    path = package_dir(file, root) / file.path
    return path if path.is_file() else None


def fetch(files: Iterable[NpmFile], root: Path | None = None) -> list[str]:
    """Download the packages behind ``files`` with ``npm pack``; returns the specs wanted."""
    root = root or web_dir()
    wanted = {f.spec: f for f in files}
    todo = [f for f in wanted.values() if not package_dir(f, root).is_dir()]
    npm = shutil.which("npm")
    if todo and npm is None:
        raise WebAssetsMissing("npm not found: install Node.js (apt-get install npm) and rerun")
    for file in todo:
        _pack(npm or "npm", file, package_dir(file, root))
    return sorted(wanted)


def _pack(npm: str, file: NpmFile, target: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            [npm, "pack", file.spec, "--pack-destination", tmp, "--silent"],
            capture_output=True,
            text=True,
            check=False,
        )
        tarballs = list(Path(tmp).glob("*.tgz"))
        if done.returncode != 0 or not tarballs:
            first = (done.stderr.strip().splitlines() or ["no tarball"])[0]
            raise WebAssetsMissing(f"npm pack {file.spec} failed ({first})")
        staging = Path(tmp) / "unpacked"
        with tarfile.open(tarballs[0]) as tar:
            tar.extractall(staging, filter="data")
        (top,) = staging.iterdir()  # npm tarballs hold one folder, usually package/
        partial = target.with_name(target.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(top, partial)
        partial.rename(target)  # a half-copied package is never mistaken for a fetched one


def main(argv: list[str] | None = None) -> int:
    """``python -m workspace.core.npm [--root DIR] name@version ...``: fetch whole packages."""
    parser = argparse.ArgumentParser(prog="python -m workspace.core.npm")
    parser.add_argument("--root", type=Path, default=None, help="default: .web/ (LAB_WEB_DIR)")
    parser.add_argument("specs", nargs="+", help="package@version")
    args = parser.parse_args(argv)
    try:
        fetched = fetch([NpmFile(*spec.rsplit("@", 1), "") for spec in args.specs], args.root)
    except WebAssetsMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"npm packages ready in {args.root or web_dir()}: {', '.join(fetched)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
