"""Projects from server folders and git URLs: site admins only, below LAB_PROJECT_ROOTS and never
LAB_HOME; copies and build snapshots never follow a link out of the project; a size limit; git
URLs checked. Every refusal is a 4xx naming the reason and leaves no folder and no project."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
from workspace.client import BadRequest, BuildFailed, Forbidden

MB = 1024 * 1024


def _folder(root: Path, **files: str) -> Path:
    root.mkdir(parents=True)
    for name, text in files.items():
        (root / name).write_text(text)
    return root


def _nothing_left(server, admin, name: str, before: set[str]) -> None:
    assert set(os.listdir(server.home / "projects")) == before
    assert admin.list_projects(search_filter={"name": name}).projects == []


@pytest.fixture()
def projects_before(server) -> set[str]:
    return set(os.listdir(server.home / "projects"))


def test_only_workspace_admins_create_projects_from_server_folders(
    server, admin, tmp_path, projects_before
):
    source = _folder(tmp_path / "src", **{"job.py": "print(1)\n"})
    user = server.client(admin.create_user("sam-local").api_key)
    with pytest.raises(Forbidden, match="only workspace admins create projects from server"):
        user.create_project(name="sam-local", template="local", local_path=str(source))
    with pytest.raises(Forbidden, match="only workspace admins"):
        user.create_project(name="sam-local", template="git", git_url=source.as_uri())
    _nothing_left(server, admin, "sam-local", projects_before)


def test_folders_outside_the_roots_or_inside_lab_home_are_refused(server, admin, projects_before):
    with pytest.raises(BadRequest, match="not below a folder of LAB_PROJECT_ROOTS"):
        admin.create_project(name="etc-ssh", template="local", local_path="/etc")
    with pytest.raises(BadRequest, match="workspace's own state folder"):
        admin.create_project(name="etc-ssh", template="local", local_path=str(server.home))
    inside = server.home / "logs"
    with pytest.raises(BadRequest, match="workspace's own state folder"):
        admin.create_project(name="etc-ssh", template="local", local_path=str(inside))
    _nothing_left(server, admin, "etc-ssh", projects_before)


@pytest.mark.parametrize(
    ("make_link", "reason"),
    [
        (lambda d: (d / "hostname").symlink_to("/etc/hostname"), "points outside the folder"),
        (lambda d: (d / "up").symlink_to(d.parent.parent), "points outside the folder"),
        (lambda d: (d / "gone").symlink_to(d / "missing.txt"), "dangling"),
        (lambda d: (d / "loop").symlink_to(d / "loop"), "cannot be followed"),
    ],
    ids=["file-outside", "folder-outside", "dangling", "loop"],
)
def test_a_link_out_of_the_folder_dangling_or_looping_refuses_the_copy(
    server, admin, tmp_path, projects_before, make_link, reason
):
    source = _folder(tmp_path / "src", **{"job.py": "print(1)\n"})
    (source / "pkg").mkdir()
    (source / "pkg" / "a.py").write_text("A = 1\n")
    make_link(source / "pkg")
    with pytest.raises(BadRequest, match=reason) as refused:
        admin.create_project(name="linked", template="local", local_path=str(source))
    assert "pkg/" in str(refused.value) and "\n" not in str(refused.value)
    _nothing_left(server, admin, "linked", projects_before)


def test_links_inside_the_folder_are_copied_as_files_and_folder_links_skipped(
    server, admin, tmp_path
):
    source = _folder(tmp_path / "src", **{"real.py": "X = 1\n"})
    (source / "alias.py").symlink_to("real.py")
    (source / "again").symlink_to(".")
    project = admin.create_project(name="inner-links", template="local", local_path=str(source))
    copied = server.home / "projects" / project.id
    assert (copied / "alias.py").read_text() == "X = 1\n"
    assert not (copied / "alias.py").is_symlink()
    assert not (copied / "again").exists()


def test_a_copy_over_the_size_limit_is_refused_and_leaves_nothing(make_server, tmp_path):
    server = make_server()
    server.env["LAB_PROJECT_MAX_BYTES"] = str(MB)
    server.start()
    admin = server.client()
    source = _folder(tmp_path / "big", **{"a.bin": "x" * MB, "b.bin": "y" * 100})
    with pytest.raises(BadRequest, match=r"more than 1 MB \(LAB_PROJECT_MAX_BYTES\)"):
        admin.create_project(name="big", template="local", local_path=str(source))
    _nothing_left(server, admin, "big", set())


def _git_repo(folder: Path) -> Path:
    git = ["git", "-C", str(folder), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "init"], check=True)
    return folder


def test_a_build_of_a_git_project_never_follows_a_link_out_of_it(server, admin, tmp_path):
    source = _folder(tmp_path / "repo", **{"model.py": "def predict(args):\n    return args\n"})
    (source / "secret.txt").symlink_to("/etc/hostname")
    project = admin.create_project(
        name="git-link", template="git", git_url=_git_repo(source).as_uri()
    )
    for _ in range(300):
        project = admin.get_project(project_id=project.id)
        if project.status != "creating":
            break
        time.sleep(0.1)
    assert project.status == "success"
    model = admin.create_model(project_id=project.id, name="linked")
    ids = {"project_id": project.id, "model_id": model.id}
    build = admin.create_model_build(**ids, file_path="model.py", function_name="predict")
    with pytest.raises(BuildFailed, match=r"symlink 'secret\.txt' points outside the folder"):
        admin.wait_for_build(**ids, build_id=build.id, timeout=60)
    build = admin.get_model_build(**ids, build_id=build.id)
    assert build.status == "failed"
    assert "symlink 'secret.txt' points outside the folder" in build.failure_reason
    assert not (server.home / "builds" / build.id).exists()


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("--upload-pack=touch /tmp/x", "no leading '-'"),
        ("-uhttps://example.com/r.git", "no leading '-'"),
        ("ext::sh", "must be an https://, ssh://, git://"),
        ("http://example.com/r.git", "must be an https://"),
        ("/srv/repo.git", "must be an https://"),
        ("https://example.com/r.git\n--config=x", "one URL"),
        ("file:///etc", "not below a folder of LAB_PROJECT_ROOTS"),
        ("ssh://-oProxyCommand=touch%20x/repo", "do not start with '-'"),
        ("git@-oProxyCommand:repo", "must be an https://"),
    ],
)
def test_git_urls_are_checked_before_anything_is_saved(server, admin, projects_before, url, reason):
    with pytest.raises(BadRequest, match=reason):
        admin.create_project(name="bad-git", template="git", git_url=url)
    _nothing_left(server, admin, "bad-git", projects_before)


def test_a_folder_holding_lab_home_is_copied_without_it(make_server, tmp_path):
    checkout = _folder(tmp_path / "checkout", **{"job.py": "print(1)\n"})
    (checkout / "state").mkdir()
    server = make_server(checkout / "state").start()  # LAB_HOME inside, as .lab/ in a checkout
    admin = server.client()
    project = admin.create_project(name="checkout", template="local", local_path=str(checkout))
    copied = server.home / "projects" / project.id
    assert sorted(p.name for p in copied.iterdir()) == ["job.py"]
