"""Every component listens on 127.0.0.1 only, and stopping one ends its whole process group and
removes its folder: nothing of a test run outlives it."""

from __future__ import annotations

import os

import psutil
import pytest
from localcluster import ComponentFailed, PostgresServer, SeaweedS3
from localcluster.process import ComponentProcess


def group_of(process: ComponentProcess) -> list[psutil.Process]:
    group = process.process.pid
    members = []
    for candidate in psutil.process_iter():
        try:
            if os.getpgid(candidate.pid) == group:
                members.append(candidate)
        except (ProcessLookupError, psutil.NoSuchProcess):
            continue
    return members


def listening_addresses(process: ComponentProcess) -> set[str]:
    """Addresses the group listens on; Java's IPv4-mapped ``::ffff:127.0.0.1`` is 127.0.0.1."""
    return {
        connection.laddr.ip.removeprefix("::ffff:")
        for member in group_of(process)
        for connection in member.net_connections(kind="inet")
        if connection.status == psutil.CONN_LISTEN
    }


@pytest.mark.parametrize("component", ["postgres", "s3", "spark_cluster", "rest_catalog"])
def test_every_component_listens_on_loopback_only(component, request):
    started = request.getfixturevalue(component)
    processes = getattr(started, "processes", None) or [started.process]
    for process in processes:
        assert listening_addresses(process) == {"127.0.0.1"}, process.name


def test_stopping_a_component_ends_its_group_and_removes_its_folder(tmp_path):
    for start in (PostgresServer.start, SeaweedS3.start):
        component = start(tmp_path)
        members = group_of(component.process)
        assert members
        component.stop()
        assert not any(m.is_running() and m.status() != psutil.STATUS_ZOMBIE for m in members)
        assert not component.folder.exists()


def test_a_component_that_exits_at_start_fails_with_its_log(tmp_path):
    log = tmp_path / "false.log"
    with pytest.raises(ComponentFailed, match="exited with 3 at start:\nbroken"):
        ComponentProcess.start(
            "broken", ["sh", "-c", "echo broken; exit 3"], log=log, ready=lambda: False
        )


def test_a_component_that_never_gets_ready_is_stopped_at_the_time_bound(tmp_path):
    with pytest.raises(ComponentFailed, match="was not ready within 1 s"):
        ComponentProcess.start(
            "sleeper", ["sleep", "60"], log=tmp_path / "sleep.log", ready=lambda: False, timeout=1
        )
