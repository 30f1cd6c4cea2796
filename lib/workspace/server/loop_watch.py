"""How late the server's event loop runs, and how long garbage collection stops it.

Why: every model request in this process waits on one event loop, so anything that holds it (a
long callback, a collection of the whole heap, a thread hogging the GIL) shows up as tail latency
of every request in flight. The watch keeps a timer that should fire every ``period_s``; how late
it fires is the loop's lag. Both figures go to Prometheus (``lab_event_loop_lag_seconds``,
``lab_gc_pause_seconds``) and any stall past ``report_s`` is logged with its wall-clock time, the
timeline a tail-latency investigation starts from.

Example::

    watch = LoopWatch(registry, report_s=0.02)
    watch.install()                                   # GC timing, any thread
    task = asyncio.create_task(watch.watch_forever()) # loop lag, on the serving loop
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from typing import Any

from prometheus_client import CollectorRegistry, Histogram

log = logging.getLogger("workspace.loop")

STALL_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)


class LoopWatch:
    """Loop lag and GC pauses of this process, as histograms and log lines for long stalls."""

    def __init__(
        self, registry: CollectorRegistry, *, period_s: float = 0.01, report_s: float = 0.02
    ) -> None:
        self.period_s = period_s
        self.report_s = report_s
        self.lag = Histogram(
            "lab_event_loop_lag_seconds",
            "How late the server's event loop ran a timer due now.",
            buckets=STALL_BUCKETS,
            registry=registry,
        )
        self.gc_pause = Histogram(
            "lab_gc_pause_seconds",
            "Garbage collection pauses of the server process, by generation.",
            ["generation"],
            buckets=STALL_BUCKETS,
            registry=registry,
        )
        self._gc_children = [self.gc_pause.labels(str(g)) for g in range(3)]
        self._gc_started = 0.0

    def install(self) -> None:
        """Time every collection from now on (idempotent)."""
        if self._on_gc not in gc.callbacks:
            gc.callbacks.append(self._on_gc)

    def uninstall(self) -> None:
        if self._on_gc in gc.callbacks:
            gc.callbacks.remove(self._on_gc)

    def _on_gc(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
            return
        pause = time.perf_counter() - self._gc_started
        self._gc_children[info["generation"]].observe(pause)
        if pause >= self.report_s:
            log.warning(
                "%s gc generation %d paused the server %.1f ms (%d collected)",
                _clock(), info["generation"], pause * 1000, info.get("collected", 0),
            )  # fmt: skip

    async def watch_forever(self) -> None:
        clock = time.perf_counter  # uvloop's loop.time() counts whole milliseconds
        while True:
            due = clock() + self.period_s
            await asyncio.sleep(self.period_s)
            lag = max(0.0, clock() - due)
            self.lag.observe(lag)
            if lag >= self.report_s:
                log.warning("%s event loop stalled %.1f ms", _clock(), lag * 1000)


def _clock() -> str:
    """Wall-clock time to the millisecond: log lines here are a timeline, whatever the format."""
    now = time.time()
    return time.strftime("%H:%M:%S", time.localtime(now)) + f".{int(now * 1000) % 1000:03d}"
