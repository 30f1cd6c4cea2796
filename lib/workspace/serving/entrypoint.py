"""Load what a replica serves: a function from a build's files, or an MLflow pyfunc model.

Why warm-up lives here: a replica is "ready" only when it can answer now, so loading is not done
until the first (slow) call has happened: a file build's ``warmup()`` hook, or one prediction on the
pyfunc signature's input example.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ModelFunction = Callable[[Any], Any]


class EntryPointError(RuntimeError):
    """The build's entry point cannot be loaded; the replica exits with this reason in its log."""


class BadRequest(ValueError):
    """Input the model cannot take; the replica answers 400 with this message."""


# Exceptions a model raises on input it cannot take (bad request, 400), as CML treats them.
CLIENT_ERRORS: tuple[type[BaseException], ...] = (ValueError, TypeError, KeyError)


def load_entry_point(
    build_dir: Path,
    *,
    file_path: str | None = None,
    function_name: str | None = None,
    model_uri: str | None = None,
) -> ModelFunction:
    """Import the build's entry point, warm it up, and return the function to call per request."""
    build_dir = build_dir.resolve()
    os.chdir(build_dir)
    if str(build_dir) not in sys.path:
        sys.path.insert(0, str(build_dir))
    if model_uri:
        from workspace.serving.pyfunc import PyfuncEntryPoint

        entry = PyfuncEntryPoint(model_uri)
        entry.warmup()
        return entry
    if not file_path or not function_name:
        raise EntryPointError("a file build needs both --file-path and --function-name")
    module = _import_file(build_dir, file_path)
    function = getattr(module, function_name, None)
    if not callable(function):
        raise EntryPointError(f"{file_path} defines no function {function_name!r}")
    warmup = getattr(module, "warmup", None)
    if callable(warmup):
        warmup()
    return function


def _import_file(build_dir: Path, file_path: str) -> Any:
    """Import ``file_path`` as a top-level module, so its sibling modules import as in a session."""
    path = (build_dir / file_path).resolve()
    if not path.is_relative_to(build_dir):
        raise EntryPointError(f"{file_path} leaves the build folder")
    if not path.is_file():
        raise EntryPointError(f"{file_path} does not exist in the build")
    if str(path.parent) not in sys.path:
        sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location(path.stem, path)
    if spec is None or spec.loader is None:
        raise EntryPointError(f"{file_path} cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


def _jsonable(value: Any) -> Any:
    """``json.dumps`` hook for what models return beyond plain JSON (numpy, pandas, sets)."""
    if hasattr(value, "to_dict") and hasattr(value, "columns"):  # a pandas DataFrame
        return value.to_dict(orient="records")
    if hasattr(value, "tolist"):  # numpy scalars and arrays, pandas Series
        return value.tolist()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"model answered a {type(value).__name__}, which is not JSON")


def to_json(value: Any) -> str:
    """Serialise a model's answer; numpy and pandas values become plain JSON numbers and lists."""
    return json.dumps(value, default=_jsonable, separators=(",", ":"))
