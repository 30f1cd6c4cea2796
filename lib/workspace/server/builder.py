"""Model builds: snapshot the project (or fetch the registered model), then prove it imports.

Why here and not at deploy time: a broken entry point, a missing function or a path that leaves
the project must fail the *build*, with its reason and log, so deployments only ever start code
that was shown to load.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from workspace.server import db
from workspace.server.project_files import IGNORED
from workspace.server.state import Workspace


class BuildError(Exception):
    """Why the build failed, in one line (stored as its failure_reason)."""


def resolve_entry_point(project_dir: Path, file_path: str) -> Path:
    """The entry point inside the project, refusing any path that leaves it."""
    root = project_dir.resolve()
    target = (root / file_path).resolve()
    if not target.is_relative_to(root):
        raise BuildError(f"file_path '{file_path}' leaves the project folder")
    if not target.is_file():
        raise BuildError(f"file_path '{file_path}' does not exist in the project")
    if target.suffix != ".py":
        raise BuildError(f"file_path '{file_path}' is not a Python file (.py)")
    return target


class Builder:
    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    def log_path(self, build_id: str) -> Path:
        return self.ws.settings.logs_dir / "builds" / f"{build_id}.log"

    def build_dir(self, build_id: str) -> Path:
        return self.ws.settings.builds_dir / build_id

    def submit(self, build_id: str) -> None:
        self.ws.executor.submit(self.run, build_id)

    def run(self, build_id: str) -> None:
        """Take one build from pending to built or failed; never raises."""
        with self.ws.session() as session:
            build = session.get(db.Build, build_id)
            project = session.get(db.Project, build.project_id) if build else None
            if build is None or project is None:
                return
            build.status = "building"
            session.commit()
            env = {**os.environ, **(project.environment or {})}
            env.update(
                LAB_PROJECT_ID=project.id,
                LAB_API_URL=self.ws.settings.server_url,
                MLFLOW_TRACKING_URI=self.ws.settings.mlflow_tracking_uri,
            )
            env.pop("LAB_API_KEY", None)
            project_dir = self.ws.settings.projects_dir / project.id
            file_path, function_name = build.file_path, build.function_name
            reference = build.registered_model_version_id
        log = self.log_path(build_id)
        log.parent.mkdir(parents=True, exist_ok=True)
        dest = self.build_dir(build_id)
        summary: dict[str, str] = {}
        try:
            if dest.exists():
                shutil.rmtree(dest)  # a build interrupted by a restart starts over
            if reference:
                dest.mkdir(parents=True)
                summary = self._check(["registry", str(dest), reference], env, log)
            else:
                resolve_entry_point(project_dir, file_path or "")
                shutil.copytree(project_dir, dest, ignore=IGNORED, symlinks=False)
                self._check(["file", str(dest), file_path or "", function_name or ""], env, log)
            status, reason = "built", None
        except BuildError as exc:
            status, reason = "failed", str(exc)
            with log.open("a") as fh:
                fh.write(f"\nbuild failed: {reason}\n")
        with self.ws.session() as session:
            build = session.get(db.Build, build_id)
            if build is None:
                return
            build.status, build.failure_reason = status, reason
            if status == "built":
                build.built_at = db.utcnow()
                if reference:
                    build.registered_model_version_id = summary["registered_model_version_id"]
                    build.model_uri = summary["model_uri"]
            session.commit()

    def _check(self, args: list[str], env: dict[str, str], log: Path) -> dict[str, str]:
        cmd = [sys.executable, "-m", "workspace.server.build_check", *args]
        with log.open("w") as fh:
            fh.write(f"$ {' '.join(cmd[1:])}\n")
            fh.flush()
            try:
                proc = subprocess.run(
                    cmd,
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=fh,
                    text=True,
                    timeout=self.ws.settings.build_timeout_s,
                    cwd=args[1],
                )
            except subprocess.TimeoutExpired:
                raise BuildError(
                    f"import check took longer than {self.ws.settings.build_timeout_s:.0f} s"
                ) from None
            fh.write(proc.stdout)
        lines = proc.stdout.strip().splitlines()
        try:
            summary = json.loads(lines[-1]) if lines else {}
        except json.JSONDecodeError:
            summary = {}
        if "error" in summary:
            raise BuildError(summary["error"])
        if proc.returncode != 0 or not isinstance(summary, dict):
            raise BuildError(f"import check exited with code {proc.returncode}; see the build log")
        return summary
