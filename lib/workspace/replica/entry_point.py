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

from workspace.core.paths import OutsideFolder, file_inside
from workspace.replica.model_errors import EntryPointError

ModelFunction = Callable[[Any], Any]


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
        from workspace.replica.pyfunc import PyfuncEntryPoint

        entry = PyfuncEntryPoint(model_uri)
        entry.warmup()
        return entry
    if not file_path or not function_name:
        raise EntryPointError("a file build needs both --file-path and --function-name")
    module, function = import_function(build_dir, file_path, function_name)
    warmup = getattr(module, "warmup", None)
    if callable(warmup):
        warmup()
    return function


def import_function(build_dir: Path, file_path: str, function_name: str) -> tuple[Any, Any]:
    """The module at ``file_path`` and its ``function_name``, imported as a replica will
    (what a build's import check proves before anyone deploys it)."""
    module = _import_file(build_dir, file_path)
    function = getattr(module, function_name, None)
    if function is None:
        raise EntryPointError(f"function '{function_name}' not found in '{file_path}'")
    if not callable(function):
        raise EntryPointError(f"'{function_name}' in '{file_path}' is not a function")
    return module, function


def _import_file(build_dir: Path, file_path: str) -> Any:
    """Import ``file_path`` as a top-level module, so its sibling modules import as in a session."""
    try:
        path = file_inside(build_dir, file_path, what="file_path", folder="build")
    except OutsideFolder as exc:
        raise EntryPointError(str(exc)) from None
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
