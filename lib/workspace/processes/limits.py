"""Hold a child (a replica, a job run) to its CPU share and its memory, as CML's cpu and memory
promise.

Two layers, because machines differ in what they let us do:

- CPU affinity (always): a replica of ``cpu`` vCPU runs on ``ceil(cpu)`` cores, chosen so replicas
  spread over the machine's cores instead of piling onto the first one.
- A cgroup per replica where the machine lets us write one (cgroup v2 ``cpu.max`` and
  ``memory.max``, or cgroup v1 ``cpu.cfs_quota_us`` and ``memory.limit_in_bytes``): the kernel then
  enforces a fractional CPU quota and kills a replica that outgrows its memory. Where no cgroup can
  be made, the backend's RSS watchdog does the killing instead.
"""

from __future__ import annotations

import contextlib
import math
import os
from collections import Counter
from pathlib import Path

CPU_PERIOD_US = 100_000
CGROUP_ROOT = Path("/sys/fs/cgroup")


def cgroups_enabled() -> bool:
    """False when ``LAB_SERVING_CGROUPS=0``: then only affinity and the RSS watchdog hold limits
    (for machines where writing cgroups is allowed but unwanted)."""
    return os.environ.get("LAB_SERVING_CGROUPS", "1") != "0"


class CoreAllocator:
    """Hands out cores to replicas, least-used first, so two 1-vCPU replicas get two cores."""

    def __init__(self) -> None:
        self.cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
        self.used: Counter[int] = Counter()

    def take(self, cpu: float) -> list[int]:
        if not self.cores:
            return []
        count = min(len(self.cores), max(1, math.ceil(cpu)))
        chosen = sorted(self.cores, key=lambda core: (self.used[core], core))[:count]
        self.used.update(chosen)
        return sorted(chosen)

    def give_back(self, cores: list[int]) -> None:
        self.used.subtract(cores)


class Cgroup:
    """One replica's cgroup, in whichever hierarchy this machine lets us write."""

    def __init__(self, dirs: dict[str, Path], version: int) -> None:
        self.dirs = dirs
        self.version = version

    @classmethod
    def create(cls, name: str, *, cpu: float, memory_bytes: int) -> Cgroup | None:
        """Make the cgroup and write its limits; None when this machine does not allow it."""
        for version, dirs in ((2, _v2_dirs(name)), (1, _v1_dirs(name))):
            if not dirs:
                continue
            group = cls(dirs, version)
            try:
                group._write_limits(cpu, memory_bytes)
                return group
            except OSError:
                group.remove()
        return None

    def _write_limits(self, cpu: float, memory_bytes: int) -> None:
        quota = max(1000, int(cpu * CPU_PERIOD_US))
        if self.version == 2:
            _write(self.dirs["cpu"] / "cpu.max", f"{quota} {CPU_PERIOD_US}")
            _write(self.dirs["memory"] / "memory.max", str(memory_bytes))
            with contextlib.suppress(OSError):
                _write(self.dirs["memory"] / "memory.swap.max", "0")
            return
        _write(self.dirs["cpu"] / "cpu.cfs_period_us", str(CPU_PERIOD_US))
        _write(self.dirs["cpu"] / "cpu.cfs_quota_us", str(quota))
        _write(self.dirs["memory"] / "memory.limit_in_bytes", str(memory_bytes))
        with contextlib.suppress(OSError):  # only where swap accounting is on
            _write(self.dirs["memory"] / "memory.memsw.limit_in_bytes", str(memory_bytes))

    def add(self, pid: int) -> None:
        for directory in {str(d): d for d in self.dirs.values()}.values():
            _write(directory / "cgroup.procs", str(pid))

    def oom_kills(self) -> int:
        """How many times the kernel killed a process here for memory (a counter, never reset)."""
        name = "memory.events" if self.version == 2 else "memory.oom_control"
        try:
            lines = (self.dirs["memory"] / name).read_text().splitlines()
        except OSError:
            return 0
        for line in lines:
            key, _, value = line.partition(" ")
            if key == "oom_kill":
                return int(value)
        return 0

    def remove(self) -> None:
        for directory in set(self.dirs.values()):
            with contextlib.suppress(OSError):
                directory.rmdir()


def _write(path: Path, text: str) -> None:
    path.write_text(text)


def _own_paths() -> dict[str, str]:
    """Our process's cgroup path per controller (``""`` is the v2 unified hierarchy)."""
    paths: dict[str, str] = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            for controller in controllers.split(",") if controllers else [""]:
                paths[controller] = path.lstrip("/")
    return paths


def _make(parent: Path, name: str) -> Path | None:
    if not parent.is_dir() or not os.access(parent, os.W_OK):
        return None
    directory = parent / name
    try:
        directory.mkdir(exist_ok=True)
    except OSError:
        return None
    return directory


def _v2_dirs(name: str) -> dict[str, Path]:
    mount = CGROUP_ROOT if (CGROUP_ROOT / "cgroup.controllers").exists() else None
    own = _own_paths().get("")
    if mount is None or own is None:
        return {}
    parent = mount / own
    with contextlib.suppress(OSError):
        enabled = (parent / "cgroup.subtree_control").read_text().split()
        if not {"cpu", "memory"} <= set(enabled):
            _write(parent / "cgroup.subtree_control", "+cpu +memory")
    directory = _make(parent, name)
    if directory is None:
        return {}
    if not ((directory / "cpu.max").exists() and (directory / "memory.max").exists()):
        directory.rmdir()
        return {}
    return {"cpu": directory, "memory": directory}


def _v1_dirs(name: str) -> dict[str, Path]:
    own = _own_paths()
    dirs: dict[str, Path] = {}
    for controller in ("cpu", "memory"):
        mount = _v1_mount(controller)
        if mount is None or controller not in own:
            break
        directory = _make(mount / own[controller], name)
        if directory is None:
            break
        dirs[controller] = directory
    if len(dirs) < 2:
        for directory in dirs.values():
            with contextlib.suppress(OSError):
                directory.rmdir()
        return {}
    return dirs


def _v1_mount(controller: str) -> Path | None:
    with contextlib.suppress(OSError):
        for line in Path("/proc/mounts").read_text().splitlines():
            fields = line.split()
            if len(fields) > 3 and fields[2] == "cgroup" and controller in fields[3].split(","):
                return Path(fields[1])
    return None
