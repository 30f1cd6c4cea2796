"""Accounts per project: names that are valid user names, made on first use, only ours removed."""

from __future__ import annotations

import grp
import pwd
import subprocess

import pytest
from workspace.processes.accounts import ProjectAccounts, SharedAccount, account_name
from workspace.processes.run_as import RunAs

GROUP = "lab-test-users"


def test_a_project_id_becomes_a_valid_user_name_and_anything_else_a_digest() -> None:
    assert account_name("4010-00d9-7c91-4b19") == "lab-4010-00d9-7c91-4b19"
    odd = account_name("../etc; rm -rf /")
    assert odd.startswith("lab-") and len(odd) <= 32 and odd[4:].isalnum()


def test_a_shared_account_is_every_projects_and_is_never_removed() -> None:
    nobody = RunAs.named("nobody")
    shared = SharedAccount(nobody)
    assert shared.for_project("a") == shared.for_project("b") == nobody
    shared.forget("a")
    assert pwd.getpwnam("nobody")


@pytest.fixture
def accounts():
    made = ProjectAccounts(GROUP)
    yield made
    for entry in pwd.getpwall():
        if entry.pw_gid == made.gid:
            subprocess.run(["userdel", entry.pw_name], capture_output=True, check=False)
    subprocess.run(["groupdel", GROUP], capture_output=True, check=False)


def test_each_project_gets_its_own_account_in_the_group_once_and_loses_it_with_the_project(
    accounts,
) -> None:
    first, again = accounts.for_project("p-one"), accounts.for_project("p-one")
    other = accounts.for_project("p-two")
    assert first == again and first.uid != other.uid
    assert {first.gid, other.gid} == {grp.getgrnam(GROUP).gr_gid}
    assert pwd.getpwnam(first.name).pw_shell == "/usr/sbin/nologin"
    accounts.forget("p-one")
    with pytest.raises(KeyError):
        pwd.getpwnam(first.name)
    assert pwd.getpwnam(other.name)


def test_an_account_of_that_name_outside_the_group_is_left_alone(accounts) -> None:
    name = account_name("p-theirs")
    subprocess.run(["useradd", "--system", "--no-create-home", name], check=True)
    try:
        accounts.forget("p-theirs")
        assert pwd.getpwnam(name)
    finally:
        subprocess.run(["userdel", name], capture_output=True, check=False)
