"""A child's whole process group stops with it, and a recorded pid is recognised only while it is
still the same process."""

from __future__ import annotations

import os
import sys
import time

import psutil
from workspace.processes.groups import (
    descendants,
    log_tail,
    start_in_group,
    started_at,
    still_ours,
    stop_group,
    tree_rss,
)

SPAWNS_A_CHILD = (
    "import subprocess, sys, time; "
    "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); "
    "print('started', flush=True); time.sleep(60)"
)


def test_stop_group_takes_the_childs_own_children_too(tmp_path):
    log = tmp_path / "child.log"
    proc = start_in_group(
        [sys.executable, "-c", SPAWNS_A_CHILD], cwd=tmp_path, env=os.environ, log_path=log
    )
    deadline = time.monotonic() + 20
    while "started" not in log_tail(log) and time.monotonic() < deadline:
        time.sleep(0.05)
    grandchildren = psutil.Process(proc.pid).children(recursive=True)
    assert grandchildren and tree_rss(psutil.Process(proc.pid)) > 0
    stop_group(proc, grace_s=2)
    assert proc.returncode is not None
    psutil.wait_procs(grandchildren, timeout=5)
    assert not any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in grandchildren)


def test_a_pid_is_ours_only_with_its_own_start_time(tmp_path):
    proc = start_in_group(
        [sys.executable, "-c", "import time; time.sleep(30)"],
        cwd=tmp_path,
        env=os.environ,
        log_path=tmp_path / "sleep.log",
    )
    began = started_at(proc.pid)
    assert still_ours(proc.pid, began)
    assert not still_ours(proc.pid, began - 3600)  # a pid reused since a crash
    stop_group(proc, grace_s=2)
    assert not still_ours(proc.pid, began)


def test_log_tail_reads_the_last_lines_and_tolerates_a_missing_log(tmp_path):
    log = tmp_path / "run.log"
    log.write_text("".join(f"line {i}\n" for i in range(100)))
    assert log_tail(log, lines=2) == "line 98\nline 99"
    assert log_tail(tmp_path / "missing.log") == ""


def test_descendants_are_the_same_processes_psutil_finds(tmp_path):
    log = tmp_path / "child.log"
    proc = start_in_group(
        [sys.executable, "-c", SPAWNS_A_CHILD], cwd=tmp_path, env=os.environ, log_path=log
    )
    try:
        deadline = time.monotonic() + 20
        while "started" not in log_tail(log) and time.monotonic() < deadline:
            time.sleep(0.05)
        below = sorted(p.pid for p in psutil.Process(proc.pid).children(recursive=True))
        assert below and sorted(descendants(proc.pid)) == below
    finally:
        stop_group(proc, grace_s=2)
    assert descendants(proc.pid) == []
