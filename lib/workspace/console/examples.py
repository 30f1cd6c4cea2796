"""A model's example request, what the Test Request box starts with.

Where it comes from: a registry build carries MLflow's ``serving_input_example.json`` (the body
MLflow logged with the model); a file build may carry ``<entry point>.example.json`` beside its
entry point (e.g. ``models.py`` → ``models.example.json``). Without either the box starts with
``{}`` and a hint saying where an example would come from.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from workspace.server.storage import tables as db

MAX_BYTES = 64 * 1024


def example_request(build_dir: Path, build: db.Build) -> Any:
    """The example body of ``build``, or ``{}``; a file that is not JSON is ignored."""
    candidates: list[Path] = []
    if build.model_uri:
        candidates.append(Path(build.model_uri) / "serving_input_example.json")
    if build.file_path:
        candidates.append((build_dir / build.file_path).with_suffix(".example.json"))
    for path in candidates:
        try:
            if path.is_file() and path.stat().st_size <= MAX_BYTES:
                return json.loads(path.read_text())
        except (OSError, ValueError):
            continue
    return {}


def hint(build: db.Build | None, example: Any) -> str:
    """What the page says under a box that starts without an example ('' when it has one)."""
    if build is None:
        return "Build and deploy the model to send it a request."
    if example != {}:
        return ""
    if build.model_uri:
        return (
            "This registered model logged no input example: log the model with "
            "input_example=… and build again to have one here."
        )
    beside = Path(build.file_path or "model.py").with_suffix(".example.json").as_posix()
    return f"No example request ships with this model: put one in {beside} and build again."
