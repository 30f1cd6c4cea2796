"""Where the server's tail comes from: its loop-stall log per round, and a py-spy profile.

``Steal`` reads what the hypervisor took from this virtual machine's CPUs during a round: on a
shared host the virtual CPUs are now and then not running at all, every process on them stops for
tens of milliseconds, and that shows as tail latency no server can remove.

``CoreWait`` reads how long the server process and each replica were ready to run but waited for
one of the two cores during a round: a request waits at least as long.

The server's ``LoopWatch`` logs every event-loop stall and GC pause of 20 ms or more with its
wall-clock time; ``StallLog`` reads what the server log gained during a round. ``profile`` attaches
py-spy to the server for one round and ``shares`` says how much of the sampled time each suspect
named in the issue took (inclusive, over all threads).
"""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import psutil

_STALL = re.compile(r"^(\d\d:\d\d:\d\d\.\d{3}) event loop stalled ([\d.]+) ms")
_GC = re.compile(r"^(\d\d:\d\d:\d\d\.\d{3}) gc generation (\d) paused the server ([\d.]+) ms")
SUSPECTS = {
    "request-metric flush": "Telemetry.flush",
    "replica CPU/memory sampling": "Telemetry.sample",
    "replica supervisor": "LocalProcessBackend._supervise",
    "Prometheus record": "Telemetry.record",
    "router (forward to replica)": "ModelRouter.forward",
    "endpoint (parse, key, answer)": "ModelEndpoint.__call__",
}


@dataclass
class Stalls:
    """Stalls of 20 ms or more in one round: (clock, ms) of the loop and of GC."""

    loop: list[tuple[str, float]]
    gc: list[tuple[str, int, float]]

    def summary(self) -> str:
        longest = max((ms for _, ms in self.loop), default=0.0)
        full = [ms for _, gen, ms in self.gc if gen == 2]
        return (
            f"{len(self.loop)} loop stalls >= 20 ms (longest {longest:.0f} ms), "
            f"{len(self.gc)} GC pauses >= 20 ms ({len(full)} full)"
        )


class Steal:
    """Share of CPU time stolen by the hypervisor (``/proc/stat``) since the last ``since_last``."""

    def __init__(self) -> None:
        self.last = self._read()

    @staticmethod
    def _read() -> tuple[int, int]:
        try:
            fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
        except OSError:  # not Linux: nothing to say
            return 0, 0
        ticks = [int(v) for v in fields[:8]]  # user nice system idle iowait irq softirq steal
        return sum(ticks), ticks[7] if len(ticks) > 7 else 0

    def since_last(self) -> str:
        now = self._read()
        total, stolen = now[0] - self.last[0], now[1] - self.last[1]
        self.last = now
        return f"{stolen / total:.0%} CPU stolen by the host" if total else "steal unknown"


class CoreWait:
    """How long the server process and its replicas were runnable but waited for a core, as a
    share of the wall time since the last ``since_last`` (``/proc/<pid>/task/*/schedstat``).

    Why: on two cores the server, its replicas and the load generator take turns; a replica that
    waits for a core while a request sits in its socket adds that wait to the request, and no
    event-loop stall or GC pause shows it. The wait of every thread is summed, so a process whose
    threads wait at once can show more than 100%.
    """

    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid
        self.last = self._read()

    def _read(self) -> tuple[float, dict[str, int]]:
        waits: dict[str, int] = {}
        try:
            server = psutil.Process(self.server_pid)
            named = [("server", server)]
            for child in server.children(recursive=True):
                command = child.cmdline()
                if "--replica-id" in command:  # a replica's model server, by its replica id
                    named.append((command[command.index("--replica-id") + 1], child))
        except psutil.Error:
            named = []
        for name, process in named:
            with contextlib.suppress(OSError, psutil.Error):
                waits[name] = sum(
                    int(Path(f"/proc/{process.pid}/task/{t.id}/schedstat").read_text().split()[1])
                    for t in process.threads()
                )
        return time.monotonic(), waits

    def since_last(self) -> str:
        now = self._read()
        wall_ns = (now[0] - self.last[0]) * 1e9
        waited = {name: ns - self.last[1].get(name, ns) for name, ns in now[1].items()}
        self.last = now
        busy = [f"{name} {ns / wall_ns:.0%}" for name, ns in waited.items() if ns > 0.005 * wall_ns]
        return "waited for a core: " + (", ".join(busy) if busy else "none") if wall_ns else ""


class StallLog:
    """The stall lines a server log gained since the last call."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = path.stat().st_size if path.exists() else 0

    def since_last(self) -> Stalls:
        with self.path.open("rb") as log:
            log.seek(self.offset)
            text = log.read().decode(errors="replace")
            self.offset = log.tell()
        loop, gc = [], []
        for line in text.splitlines():
            if m := _STALL.match(line):
                loop.append((m[1], float(m[2])))
            elif m := _GC.match(line):
                gc.append((m[1], int(m[2]), float(m[3])))
        return Stalls(loop, gc)


def profile(pid: int, seconds: float, out: Path) -> subprocess.Popen:
    """py-spy sampling ``pid`` at 100 Hz for ``seconds`` into collapsed stacks at ``out``."""
    spy = Path(sys.executable).with_name("py-spy")
    command = [str(spy), "record", "--pid", str(pid), "--duration", str(int(seconds))]
    command += ["--rate", "100", "--format", "raw", "--nonblocking", "-o", str(out)]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def shares(collapsed: Path) -> dict[str, float]:
    """Fraction of all samples whose stack holds each suspect's function."""
    hits: Counter[str] = Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        total += int(count)
        for name, function in SUSPECTS.items():
            if f";{function} (" in f";{stack}":
                hits[name] += int(count)
    return {name: hits[name] / total if total else 0.0 for name in SUSPECTS}
