"""The server's side of user-code isolation: a named account that cannot run user code stops
the start with one line, and LAB_HOME keeps the server's own files to itself."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from lab_server import free_port, server_env
from workspace.core.config import WorkspaceSettings
from workspace.server.isolation import lock_down


def test_a_named_account_that_does_not_exist_stops_the_start_with_one_line(tmp_path: Path) -> None:
    env = server_env(tmp_path, free_port())
    env["LAB_RUN_AS_USER"] = "no-such-lab-account"
    started = subprocess.run(
        [sys.executable, "-m", "workspace.server"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert started.returncode != 0
    assert started.stderr.strip() == (
        "workspace: LAB_RUN_AS_USER names no account of this machine: no-such-lab-account"
    )
    assert not (tmp_path / "workspace.db").exists(), "a refused start leaves no database"


def test_only_projects_builds_and_environments_are_reachable_below_lab_home(tmp_path: Path) -> None:
    settings = WorkspaceSettings(home=tmp_path)
    (tmp_path / "workspace.db").write_text("")
    (tmp_path / "credentials.json").write_text("{}")
    (tmp_path / "logs").mkdir()
    umask = os.umask(0o022)
    try:
        lock_down(settings)
        written_later = tmp_path / "written-later.log"
        written_later.write_text("")
    finally:
        os.umask(umask)
    modes = {p.name: p.stat().st_mode & 0o777 for p in tmp_path.iterdir()}
    assert tmp_path.stat().st_mode & 0o777 == 0o711  # traversable, not listable
    assert modes == {
        "workspace.db": 0o600,
        "credentials.json": 0o600,
        "logs": 0o700,
        "projects": 0o711,
        "builds": 0o711,
        "envs": 0o711,
        "written-later.log": 0o600,
    }
