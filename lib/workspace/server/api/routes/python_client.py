"""``GET /api/v2/python.tar.gz``: the ``cmlapi`` client as an installable source distribution.

Why here and without a key: CML serves its client at this path and its UI links to it, so
``pip install <workspace>/api/v2/python.tar.gz`` works from any environment before the user has
a key. The archive is built from the ``cmlapi`` package files next to the lab's packages (read
as files, never imported: the server does not depend on its client) once, on the first download.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import io
import tarfile
import time
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import Response

router = APIRouter(tags=["python client"])
BACKEND = "_build.py"  # the archive's build backend, at its root: see cmlapi/_build.py

PYPROJECT = """\
[build-system]
requires = []
build-backend = "cmlapi_build"
backend-path = ["."]

[project]
name = "cmlapi"
version = "{version}"
description = "CML API v2 client for the Logistics MLOps Lab workspace"
requires-python = ">=3.9"
dependencies = ["urllib3>=1.26"]
"""

PKG_INFO = """\
Metadata-Version: 2.1
Name: cmlapi
Version: {version}
Summary: CML API v2 client for the Logistics MLOps Lab workspace
Requires-Dist: urllib3>=1.26
"""


def package_dir() -> Path:
    """Where the ``cmlapi`` files are, found without importing them."""
    spec = importlib.util.find_spec("cmlapi")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the cmlapi package is not installed beside the workspace")
    return Path(next(iter(spec.submodule_search_locations)))


def package_version(init: Path) -> str:
    """``__version__`` of ``cmlapi/__init__.py``, read from its source."""
    for node in ast.parse(init.read_text()).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__version__" for t in node.targets
        ):
            return str(ast.literal_eval(node.value))
    raise RuntimeError("cmlapi/__init__.py has no __version__")


def _add(tar: tarfile.TarFile, name: str, data: bytes, mtime: float) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(mtime), 0o644
    tar.addfile(info, io.BytesIO(data))


def build_sdist(source: Path) -> tuple[str, bytes]:
    """The file name and bytes of ``cmlapi-<version>.tar.gz``: pyproject, PKG-INFO, sources
    and the build backend that makes a wheel of them with nothing installed."""
    version = package_version(source / "__init__.py")
    root = f"cmlapi-{version}"
    now = time.time()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        _add(tar, f"{root}/pyproject.toml", PYPROJECT.format(version=version).encode(), now)
        _add(tar, f"{root}/PKG-INFO", PKG_INFO.format(version=version).encode(), now)
        for path in sorted(source.glob("*.py")):
            name = (
                f"{root}/cmlapi_build.py" if path.name == BACKEND else f"{root}/cmlapi/{path.name}"
            )
            _add(tar, name, path.read_bytes(), path.stat().st_mtime)
    return f"{root}.tar.gz", buffer.getvalue()


@functools.cache
def sdist() -> tuple[str, bytes]:
    return build_sdist(package_dir())


@router.get("/api/v2/python.tar.gz", response_class=Response)
def python_client() -> Response:
    """The client archive, to ``pip install`` by this URL."""
    filename, data = sdist()
    return Response(
        data,
        media_type="application/gzip",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
