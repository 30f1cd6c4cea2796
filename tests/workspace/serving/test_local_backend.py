"""The local backend: replicas held to CPU and memory, restarted when they die, stopped for good."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from pathlib import Path

import httpx
import psutil
import pytest
from workspace.serving.backend import REPLICA_SECRET_HEADER, DeploymentSpec, ReplicaState
from workspace.serving.local_backend import LocalProcessBackend


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
