"""The account user code runs as: a real, unprivileged account, and files handed to it without
following a link out of them."""

from __future__ import annotations

import os
import pwd
from pathlib import Path

import pytest
from workspace.processes.run_as import RunAs


def test_an_unknown_or_privileged_account_is_refused_naming_it() -> None:
    with pytest.raises(ValueError, match="no account of this machine: no-such-lab-account"):
        RunAs.named("no-such-lab-account")
    with pytest.raises(ValueError, match="must be unprivileged, root is root"):
        RunAs.named("root")


def test_giving_a_folder_changes_its_owner_and_never_follows_a_link(tmp_path: Path) -> None:
    assert os.geteuid() == 0, "changing owners needs root, as the server that switches has"
    nobody = RunAs.named("nobody")
    outside = tmp_path / "outside.txt"
    outside.write_text("not the project's")
    project = tmp_path / "project"
    (project / "pkg").mkdir(parents=True)
    (project / "pkg" / "model.py").write_text("")
    (project / "link").symlink_to(outside)
    nobody.give(project)
    for path in (project, project / "pkg", project / "pkg" / "model.py"):
        assert (path.stat().st_uid, path.stat().st_gid) == (nobody.uid, nobody.gid), path
    assert (project / "link").lstat().st_uid == nobody.uid
    assert outside.stat().st_uid == 0, "a link out of the project was followed"


def test_the_server_starts_children_as_the_account_writing_for_its_group_alone() -> None:
    nobody = RunAs.named("nobody")
    assert nobody.popen_args() == {
        "user": pwd.getpwnam("nobody").pw_uid,
        "group": pwd.getpwnam("nobody").pw_gid,
        "extra_groups": [],
        "umask": 0o007,
    }
