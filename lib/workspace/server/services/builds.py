"""Model builds: snapshot the project (or fetch the registered model), then prove it imports.

Why here and not at deploy time: a broken entry point, a missing function or a path that leaves
the project must fail the *build*, with its reason and log, so deployments only ever start code
that was shown to load. States: pending → building → built or failed.

A file build whose snapshot has ``cdsw-build.sh`` or ``requirements.txt`` first gets its Python
environment (see ``workspace.processes.python_envs``), shared by every build of the same recipe;
the import check and the replicas then run with that environment's interpreter.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from concurrent.futures import Executor
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from workspace.core.config import WorkspaceSettings
from workspace.core.paths import OutsideFolder, file_inside
from workspace.processes.accounts import AccountError, Accounts, account_of
from workspace.processes.environment import ProjectIdentity, child_environment
from workspace.processes.python_envs import (
    EnvironmentFailed,
    PythonEnv,
    build_env_path,
    build_recipe,
    ensure_env,
    install_build_recipe,
    ready_env,
)
from workspace.processes.run_as import RunAs
from workspace.schemas.states import BUILDS_IN_PROGRESS, BuildStatus
from workspace.server.services.folder_copy import FolderCopyError, copy_folder
from workspace.server.services.project_files import IGNORED
from workspace.server.services.snapshot_digest import folder_sha256
from workspace.server.storage import crud
from workspace.server.storage import tables as db

IMPORT_CHECK = "workspace.replica.import_check"


class BuildError(Exception):
    """Why the build failed, in one line (stored as its failure_reason)."""


def resolve_entry_point(project_dir: Path, file_path: str) -> Path:
    """The entry point inside the project, refusing any path that leaves it."""
    try:
        target = file_inside(project_dir, file_path, what="file_path", folder="project")
    except OutsideFolder as exc:
        raise BuildError(str(exc)) from None
    if target.suffix != ".py":
        raise BuildError(f"file_path '{file_path}' is not a Python file (.py)")
    return target


class Builder:
    """Runs builds on the shared worker pool; every build ends built or failed."""

    def __init__(
        self,
        settings: WorkspaceSettings,
        sessions: sessionmaker,
        executor: Executor,
        *,
        accounts: Accounts | None = None,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.executor = executor
        self.accounts = accounts

    def log_path(self, build_id: str) -> Path:
        return self.settings.logs_dir / "builds" / f"{build_id}.log"

    def build_dir(self, build_id: str) -> Path:
        return self.settings.builds_dir / build_id

    def forget(self, build_id: str) -> None:
        """Remove a build's snapshot and log (its project was deleted)."""
        shutil.rmtree(self.build_dir(build_id), ignore_errors=True)
        self.log_path(build_id).unlink(missing_ok=True)

    def submit(self, build_id: str) -> None:
        self.executor.submit(self.run, build_id)

    def restore(self) -> None:
        """After a server restart: builds that were pending or building start over."""
        with self.sessions() as session:
            build_ids = session.scalars(
                select(db.Build.id).where(db.Build.status.in_(BUILDS_IN_PROGRESS))
            ).all()
        for build_id in build_ids:
            self.submit(build_id)

    def run(self, build_id: str) -> None:
        """Take one build from pending to built or failed; never raises."""
        with self.sessions() as session:
            build = session.get(db.Build, build_id)
            project = session.get(db.Project, build.project_id) if build else None
            if build is None or project is None:
                return
            build.status = BuildStatus.BUILDING
            # The import check acts as whoever created the build, with a key that ends with it.
            crud.revoke_keys_named(session, _key_name(build_id))  # one a restart left behind
            _, key = crud.issue_key(session, build.creator, name=_key_name(build_id))
            session.commit()
            try:
                run_as = account_of(self.accounts, project.id)
            except AccountError as exc:
                self._finish(build_id, BuildStatus.FAILED, str(exc), {})
                return
            env = child_environment(
                self.settings,
                project=ProjectIdentity(project.id, project.name, project.creator.username),
                api_key=key,
                layers=[project.environment],
                home=self.build_dir(build_id) if run_as else None,
            )
            project_dir = self.settings.projects_dir / project.id
            file_path, function_name = build.file_path, build.function_name
            reference = build.registered_model_version_id
        log = self.log_path(build_id)
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text("")
        dest = self.build_dir(build_id)
        summary: dict[str, str] = {}
        digest = None
        try:
            if dest.exists():
                shutil.rmtree(dest)  # a build interrupted by a restart starts over
            if reference:
                dest.mkdir(parents=True)
                _give(run_as, dest)
                summary = self._check(["registry", str(dest), reference], env, log, run_as)
                digest = folder_sha256(dest)
            else:
                resolve_entry_point(project_dir, file_path or "")
                self._snapshot(project_dir, dest)
                digest = folder_sha256(dest)  # before the import check adds bytecode caches
                _give(run_as, dest)  # before the recipe runs in it as the account
                python = self._environment(dest, env, log, run_as)
                if python is not None:
                    env = python.activate(env)
                args = ["file", str(dest), file_path or "", function_name or ""]
                self._check(args, env, log, run_as, python=python)
            status, reason = BuildStatus.BUILT, None
        except BuildError as exc:
            status, reason = BuildStatus.FAILED, str(exc)
            with log.open("a") as fh:
                fh.write(f"\nbuild failed: {reason}\n")
        self._finish(build_id, status, reason, summary if reference else {}, digest)

    def _snapshot(self, project_dir: Path, dest: Path) -> None:
        """The project's files as the build will run them; links never lead out of it."""
        try:
            copy_folder(
                project_dir, dest, max_bytes=self.settings.project_max_bytes, ignore=IGNORED
            )
        except FolderCopyError as exc:
            raise BuildError(f"the project cannot be snapshot: {exc}") from None

    def _finish(
        self,
        build_id: str,
        status: BuildStatus,
        reason: str | None,
        pinned: dict[str, str],
        digest: str | None = None,
    ) -> None:
        with self.sessions() as session:
            build = session.get(db.Build, build_id)
            if build is None:
                return
            build.status, build.failure_reason = status, reason
            crud.revoke_keys_named(session, _key_name(build_id))
            if status == BuildStatus.BUILT:
                build.built_at = db.utcnow()
                build.files_sha256 = digest
                if pinned:
                    build.model_reference = build.registered_model_version_id  # as asked
                    build.registered_model_version_id = pinned["registered_model_version_id"]
                    build.model_uri = pinned["model_uri"]
            session.commit()

    def _environment(
        self, build_dir: Path, env: dict[str, str], log: Path, run_as: RunAs | None
    ) -> PythonEnv | None:
        """The snapshot's environment: None without a recipe, the cached one when a build of the
        same recipe made it, else made now (a failed install fails the build, leaving no env)."""
        recipe = build_recipe(build_dir)
        if recipe is None:
            return None
        path = build_env_path(self.settings, recipe)
        if (cached := ready_env(path)) is not None:
            with log.open("a") as fh:
                fh.write(f"--- Python environment {recipe[:12]} reused ---\n")
            return cached

        def install(python: PythonEnv) -> None:
            install_build_recipe(
                python,
                build_dir,
                child_env=env,
                log=log,
                timeout_s=self.settings.build_timeout_s,
                run_as=run_as,
            )

        try:
            made = ensure_env(path, install=install)
        except EnvironmentFailed as exc:
            raise BuildError(str(exc)) from None
        with log.open("a") as fh:
            fh.write(f"--- Python environment {recipe[:12]} ready ---\n")
        return made

    def _check(
        self,
        args: list[str],
        env: dict[str, str],
        log: Path,
        run_as: RunAs | None,
        *,
        python: PythonEnv | None = None,
    ) -> dict[str, str]:
        """Run the import check in a child; its last stdout line is a JSON summary."""
        cmd = [python.python if python else sys.executable, "-m", IMPORT_CHECK, *args]
        timeout = self.settings.build_timeout_s
        with log.open("a") as fh:
            fh.write(f"$ {' '.join(cmd[1:])}\n")
            fh.flush()
            try:
                proc = subprocess.run(
                    cmd,
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=fh,
                    text=True,
                    timeout=timeout,
                    cwd=args[1],
                    **(run_as.popen_args() if run_as else {}),
                )
            except subprocess.TimeoutExpired:
                raise BuildError(f"import check took longer than {timeout:.0f} s") from None
            fh.write(proc.stdout)
        lines = proc.stdout.strip().splitlines()
        try:
            summary = json.loads(lines[-1]) if lines else {}
        except json.JSONDecodeError:
            summary = {}
        if isinstance(summary, dict) and "error" in summary:
            raise BuildError(summary["error"])
        if proc.returncode != 0 or not isinstance(summary, dict):
            raise BuildError(f"import check exited with code {proc.returncode}; see the build log")
        return summary


def _key_name(build_id: str) -> str:
    return f"build {build_id}"


def _give(run_as: RunAs | None, dest: Path) -> None:
    """The snapshot belongs to the account its project's code runs as (its replicas read it)."""
    if run_as is not None:
        run_as.give(dest)
