"""Run in a child process by the builder: prove a build can serve before anyone deploys it.

Why a child process: importing user code (or MLflow and a model's flavour) inside the server would
let a broken entry point crash or pollute it; a child fails alone and leaves its traceback in the
build log. The last stdout line is a JSON summary the builder reads.

    python -m workspace.replica.import_check file <build_dir> <file_path> <function_name>
    python -m workspace.replica.import_check registry <dest_dir> <reference>
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path

from workspace.replica.entry_point import import_function
from workspace.replica.model_errors import EntryPointError


class CheckFailed(Exception):
    """The build cannot serve; the message is the build's failure reason."""


def check_file(build_dir: str, file_path: str, function_name: str) -> dict[str, str]:
    """Import the entry point as a replica will and find its function (without warming it)."""
    os.chdir(build_dir)
    sys.path.insert(0, build_dir)
    try:
        import_function(Path(build_dir), file_path, function_name)
    except EntryPointError as exc:
        raise CheckFailed(str(exc)) from None
    except Exception as exc:
        traceback.print_exc()
        raise CheckFailed(f"importing '{file_path}' failed: {type(exc).__name__}: {exc}") from None
    return {"file_path": file_path, "function_name": function_name}


def _parse_reference(reference: str) -> tuple[str, str | None, str | None]:
    """'name/3', 'name@alias', 'name' or a models:/ URI → (name, version, alias)."""
    ref = reference.removeprefix("models:/").strip("/")
    if "@" in ref:
        name, alias = ref.rsplit("@", 1)
        return name, None, alias
    if "/" in ref and ref.rsplit("/", 1)[1].isdigit():
        name, version = ref.rsplit("/", 1)
        return name, version, None
    return ref, None, None


def check_registry(dest_dir: str, reference: str) -> dict[str, str]:
    """Pin an alias or name to one version, copy its artifact into the build, load it once."""
    import mlflow
    from mlflow.exceptions import MlflowException
    from mlflow.tracking import MlflowClient

    name, version, alias = _parse_reference(reference)
    client = MlflowClient()
    try:
        if alias:
            version = client.get_model_version_by_alias(name, alias).version
        elif version is None:
            versions = client.search_model_versions(f"name = '{name}'")
            if not versions:
                raise CheckFailed(f"registered model '{name}' has no versions")
            version = str(max(int(v.version) for v in versions))
        client.get_model_version(name, version)
    except MlflowException as exc:
        raise CheckFailed(f"registered model '{reference}' not found: {exc.message}") from None
    print(f"resolved {reference} to {name} version {version}", flush=True)
    local = mlflow.artifacts.download_artifacts(
        artifact_uri=f"models:/{name}/{version}", dst_path=dest_dir
    )
    try:
        mlflow.pyfunc.load_model(local)
    except Exception as exc:
        traceback.print_exc()
        raise CheckFailed(
            f"loading model {name}/{version} failed: {type(exc).__name__}: {exc}"
        ) from None
    return {"registered_model_version_id": f"{name}/{version}", "model_uri": local}


def main(argv: list[str]) -> int:
    mode, *args = argv
    try:
        summary = check_file(*args) if mode == "file" else check_registry(*args)
    except CheckFailed as exc:
        print(json.dumps({"error": str(exc)}), flush=True)
        return 1
    print(json.dumps(summary), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
