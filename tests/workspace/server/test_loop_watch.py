"""The loop watch: a callback that holds the event loop shows as lag (and a log line with its
time), and every garbage collection is timed by generation."""

from __future__ import annotations

import asyncio
import gc
import logging
import time

from prometheus_client import CollectorRegistry
from workspace.server.loop_watch import LoopWatch


def test_a_callback_that_holds_the_loop_is_reported_as_a_stall(caplog) -> None:
    registry = CollectorRegistry()
    watch = LoopWatch(registry, period_s=0.005, report_s=0.05)

    async def hold_the_loop() -> None:
        task = asyncio.create_task(watch.watch_forever())
        await asyncio.sleep(0.05)
        time.sleep(0.12)  # a blocking call on the loop, as a slow handler would make
        await asyncio.sleep(0.05)
        task.cancel()

    with caplog.at_level(logging.WARNING, logger="workspace.loop"):
        asyncio.run(hold_the_loop())
    assert registry.get_sample_value("lab_event_loop_lag_seconds_bucket", {"le": "0.05"}) < (
        registry.get_sample_value("lab_event_loop_lag_seconds_count")
    )
    assert any("event loop stalled" in r.getMessage() for r in caplog.records)


def test_every_collection_is_timed_by_generation_until_uninstalled() -> None:
    registry = CollectorRegistry()
    watch = LoopWatch(registry)
    count = lambda: registry.get_sample_value(  # noqa: E731
        "lab_gc_pause_seconds_count", {"generation": "2"}
    )
    watch.install()
    watch.install()  # twice is once
    try:
        gc.collect()
        assert count() == 1
    finally:
        watch.uninstall()
    gc.collect()
    assert count() == 1
