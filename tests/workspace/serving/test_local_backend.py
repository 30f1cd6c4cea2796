"""The local backend: replicas held to CPU and memory, restarted when they die, stopped for good."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import psutil
import pytest
from workspace.processes.environment import with_lab_on_path
from workspace.serving.backend import REPLICA_SECRET_HEADER, DeploymentSpec, ReplicaState
from workspace.serving.local_backend import LocalProcessBackend
from workspace.serving.replica_slot import ReplicaProcess


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_killed_replica_is_restarted_within_5_s(deploy, backend, ready, auth) -> None:
    [before] = deploy("echo.py")
    os.kill(before.pid, signal.SIGKILL)
    killed_at = time.monotonic()
    while True:
        [after] = backend.status("dep")
        if after.state == ReplicaState.READY and after.pid != before.pid:
            break
        assert time.monotonic() - killed_at < 5, f"replica not replaced within 5 s: {after}"
        time.sleep(0.02)
    assert time.monotonic() - killed_at < 5
    assert after.restarts == 1
    assert "exited with code -9" in (after.last_error or "")
    assert (
        httpx.post(f"{after.url}/predict", json={"request": 7}, headers=auth()).json()["response"]
        == 7
    )


@pytest.mark.parametrize("cgroups", [True, False], ids=["cgroup-or-watchdog", "watchdog"])
def test_replica_over_its_memory_limit_is_killed_reported_and_restarted(
    tmp_path: Path, build_dir: Path, cgroups: bool, ready
) -> None:
    backend = LocalProcessBackend(tmp_path / "serving", cgroups=cgroups)
    try:
        backend.deploy(
            DeploymentSpec(
                "hog", build_dir, file_path="hog.py", function_name="predict", memory_gb=0.15
            )
        )
        [replica] = ready(backend, "hog", 1)
        assert replica.memory_limit_mb == pytest.approx(153.6)
        with contextlib.suppress(httpx.TransportError):  # killed before it could answer
            secret = {REPLICA_SECRET_HEADER: backend.secret("hog") or ""}
            body = {"request": {"mb": 400}}
            httpx.post(f"{replica.url}/predict", json=body, headers=secret, timeout=10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and backend.status("hog")[0].restarts == 0:
            time.sleep(0.05)
        [restarted] = ready(backend, "hog", 1, timeout_s=5)
    finally:
        backend.shutdown()
    assert restarted.restarts == 1
    assert restarted.last_error is not None
    assert restarted.last_error.startswith("OOM"), restarted.last_error
    assert "153 MB" in restarted.last_error
    assert restarted.pid != replica.pid


def test_replicas_are_pinned_to_their_cpu_share_on_separate_cores(deploy) -> None:
    replicas = deploy("echo.py", replicas=2, cpu=1)
    machine = sorted(os.sched_getaffinity(0))
    pinned = []
    for replica in replicas:
        process = psutil.Process(replica.pid)
        cores = {tuple(process.cpu_affinity())}
        cores |= {tuple(_thread_cpus(replica.pid, t.id)) for t in process.threads()}
        assert len(cores) == 1, f"every thread shares the replica's cores, got {cores}"
        pinned.append(cores.pop())
    assert all(len(cores) == 1 for cores in pinned)
    if len(machine) >= 2:
        assert pinned[0] != pinned[1], "two 1-vCPU replicas should not share one core"


def _thread_cpus(pid: int, tid: int) -> list[int]:
    return sorted(os.sched_getaffinity(tid)) if psutil.pid_exists(pid) else []


def test_fractional_cpu_share_holds_a_busy_replica(deploy, backend, ready, auth) -> None:
    [replica] = deploy("busy.py", cpu=0.5)
    spinning = threading.Thread(
        target=httpx.post,
        args=(f"{replica.url}/predict",),
        kwargs={"json": {"request": {"seconds": 2.5}}, "headers": auth(), "timeout": 30},
    )
    spinning.start()
    time.sleep(0.3)
    backend.metrics("dep")
    time.sleep(1.5)
    [sample] = backend.metrics("dep")
    spinning.join()
    held_by_quota = backend._deployments["dep"][0].cgroup is not None
    share = sample.cpu_limit if held_by_quota else len(psutil.Process(replica.pid).cpu_affinity())
    assert sample.cpu_percent > 20, "the busy model should show up in the CPU sample"
    assert sample.cpu_percent <= share * 100 * 1.15, (sample.cpu_percent, held_by_quota)


def test_stop_leaves_no_process_behind(deploy, backend, ready, auth) -> None:
    replicas = deploy("spawner.py", replicas=2)
    pids = [replica.pid for replica in replicas]
    children = [
        httpx.post(f"{r.url}/predict", json={"request": {}}, headers=auth()) for r in replicas
    ]
    pids += [answer.json()["response"]["child_pid"] for answer in children]
    assert all(not _gone(pid) for pid in pids)
    backend.stop("dep")
    assert all(_gone(pid) for pid in pids), [p for p in pids if not _gone(p)]
    assert backend.status("dep") == []
    assert backend.ready_urls("dep") == []


def test_shutdown_stops_every_deployment(deploy, backend, ready) -> None:
    pids = [r.pid for r in deploy("echo.py", deployment_id="a")]
    pids += [r.pid for r in deploy("slow.py", deployment_id="b", replicas=2)]
    backend.shutdown()
    assert all(_gone(pid) for pid in pids)


def test_shutdown_waits_for_a_stop_another_thread_began(deploy, backend, ready, auth) -> None:
    """A replica finishing a slow request takes a while to stop; shutdown must not return (and
    let its server exit) before that replica is gone, or it outlives the server."""
    [replica] = deploy("slow.py")
    slow = threading.Thread(
        target=httpx.post,
        args=(f"{replica.url}/predict",),
        kwargs={"json": {"request": {"sleep": 2}}, "headers": auth(), "timeout": 10},
    )
    slow.start()
    time.sleep(0.3)  # the request is in the replica: its graceful stop now waits for it
    stopping = threading.Thread(target=backend.stop, args=("dep",))
    stopping.start()
    while backend.status("dep"):  # unlisted by the other thread, not yet gone
        time.sleep(0.01)
    backend.shutdown()
    assert _gone(replica.pid)
    stopping.join()
    slow.join()


def test_scale_adds_and_removes_replicas(deploy, backend, ready) -> None:
    [first] = deploy("echo.py")
    backend.scale("dep", 3)
    assert len(ready(backend, "dep", 3)) == 3
    backend.scale("dep", 1)
    [kept] = backend.status("dep")
    assert kept.replica_id == first.replica_id
    assert kept.state == ReplicaState.READY
    assert len(backend.ready_urls("dep")) == 1


def test_status_reports_memory_used_against_limits(deploy, backend, ready) -> None:
    [replica] = deploy("echo.py", cpu=0.5, memory_gb=0.25)
    assert replica.cpu_limit == 0.5
    assert replica.memory_limit_mb == 256
    assert 5 < replica.memory_mb < 256
    assert replica.state == ReplicaState.READY
    log = backend.replica_log(replica.replica_id)
    assert "ready on" in log


def test_a_replica_that_cannot_start_fails_its_own_deployment_and_no_other(
    deploy, backend, build_dir, ready, auth
) -> None:
    """The issue's reproduction: one deployment whose environment the kernel refuses used to end
    the supervisor thread, killing every replica while they were still reported ready."""
    [good] = deploy("echo.py", deployment_id="good")
    spec = DeploymentSpec(
        "bad", build_dir, file_path="echo.py", function_name="predict", environment={"X": "a\0b"}
    )
    backend.deploy(spec)
    deadline = time.monotonic() + 10
    while backend.status("bad")[0].state != ReplicaState.FAILED:
        assert time.monotonic() < deadline, backend.status("bad")
        time.sleep(0.05)
    [bad] = backend.status("bad")
    assert "could not start" in (bad.last_error or "") and "null byte" in (bad.last_error or "")
    time.sleep(0.5)  # several supervision rounds later
    [still] = backend.status("good")
    assert (still.pid, still.state, still.restarts) == (good.pid, ReplicaState.READY, 0)
    assert not _gone(good.pid)
    answer = httpx.post(f"{good.url}/predict", json={"request": 1}, headers=auth("good"))
    assert answer.json()["response"] == 1
    deploy("echo.py", deployment_id="later")  # the supervisor still starts new replicas


def test_replicas_outlive_the_thread_that_started_them(tmp_path: Path, build_dir: Path) -> None:
    """PR_SET_PDEATHSIG fires when the parent *thread* ends; replicas must only end with the
    server process (here: when the write end of their lifeline closes)."""
    lifeline, write_end = os.pipe()
    spec = DeploymentSpec("dep", build_dir, file_path="echo.py", function_name="predict")
    replica = ReplicaProcess(
        "dep-0", spec, log_dir=tmp_path, env=with_lab_on_path({}), secret="s", lifeline_fd=lifeline
    )
    try:
        starter = threading.Thread(target=replica.start)
        starter.start()
        starter.join()
        time.sleep(1.0)
        assert replica.proc is not None and replica.proc.poll() is None, replica.log_tail()
        os.close(write_end)  # what the kernel does when the server process ends
        replica.proc.wait(5)
    finally:
        replica.stop()
        os.close(lifeline)


SERVER_WITH_A_REPLICA = """
import sys, time
from pathlib import Path
from workspace.serving.backend import DeploymentSpec
from workspace.serving.local_backend import LocalProcessBackend
from workspace.serving.replica_slot import ReplicaProcess

backend = LocalProcessBackend(Path(sys.argv[1]) / "serving")
spec = DeploymentSpec("dep", Path(sys.argv[1]), file_path="spawner.py", function_name="predict")
backend.deploy(spec)
while not backend.ready_urls("dep"):
    time.sleep(0.05)
print(backend.status("dep")[0].pid, flush=True)
time.sleep(600)
"""


def test_replicas_and_their_children_die_with_a_killed_server(build_dir: Path) -> None:
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER_WITH_A_REPLICA, str(build_dir)], stdout=subprocess.PIPE
    )
    family: list[psutil.Process] = []
    try:
        replica = psutil.Process(int(server.stdout.readline()))
        family = [replica, *replica.children(recursive=True)]
        assert len(family) == 2, "the model's own child runs too"
        server.kill()
        server.wait(10)
        deadline = time.monotonic() + 5
        while not all(_gone(p.pid) for p in family):
            assert time.monotonic() < deadline, "replicas outlived the server killed with -9"
            time.sleep(0.05)
    finally:
        server.kill()
        server.wait(10)
        for process in family:  # only what this test started
            with contextlib.suppress(psutil.Error):
                process.kill()


def test_a_dead_replica_is_never_reported_ready(deploy, backend) -> None:
    [before] = deploy("echo.py")
    os.kill(before.pid, signal.SIGKILL)
    while not _gone(before.pid):
        time.sleep(0.001)
    for _ in range(200):  # until it is replaced, the dead process is never "ready"
        [now] = backend.status("dep")
        if now.pid != before.pid:
            break
        assert now.state != ReplicaState.READY, now
        time.sleep(0.001)


def test_replicas_listen_on_loopback_whatever_their_environment_says(
    backend, build_dir, ready
) -> None:
    spec = DeploymentSpec(
        "dep",
        build_dir,
        file_path="echo.py",
        function_name="predict",
        environment={"LAB_REPLICA_HOST": "0.0.0.0", "LAB_REPLICA_SECRET": ""},
    )
    backend.deploy(spec)
    [replica] = ready(backend, "dep", 1)
    listening = [
        c for c in psutil.Process(replica.pid).net_connections("inet") if c.status == "LISTEN"
    ]
    assert [c.laddr.ip for c in listening] == ["127.0.0.1"]
    refused = httpx.post(
        f"{replica.url}/predict", json={"request": 1}, headers={REPLICA_SECRET_HEADER: ""}
    )
    assert refused.status_code == 403
    assert "X-Lab-Replica-Secret" in refused.json()["message"]
