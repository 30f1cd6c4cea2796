"""Progress of long Spark work, for people at a terminal and for job logs alike.

Why a poller: Spark's console progress bar is noisy and absent from job logs; this reads the
status tracker and shows one bar (terminal) or one line every few seconds (logs).
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def _task_counts(spark: SparkSession) -> tuple[int, int]:
    tracker = spark.sparkContext.statusTracker()
    done = total = 0
    for stage_id in tracker.getActiveStageIds():
        info = tracker.getStageInfo(stage_id)
        if info is not None:
            done += info.numCompletedTasks
            total += info.numTasks
    return done, total


@contextmanager
def spark_progress(
    spark: SparkSession, description: str, interval_s: float = 0.5
) -> Iterator[None]:
    """Show task progress of the Spark jobs started inside the block."""
    stop = threading.Event()
    interactive = sys.stdout.isatty()

    def poll() -> None:
        if interactive:
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            with Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.fields[tasks]}"),
                TimeElapsedColumn(),
                transient=True,
            ) as bar:
                task = bar.add_task(description, total=None, tasks="")
                while not stop.wait(interval_s):
                    done, total = _task_counts(spark)
                    bar.update(
                        task, completed=done, total=total or None, tasks=f"{done}/{total} tasks"
                    )
        else:
            last = 0.0
            while not stop.wait(interval_s):
                if time.monotonic() - last >= 5:
                    done, total = _task_counts(spark)
                    if total:
                        print(f"{description}: {done}/{total} tasks", flush=True)
                        last = time.monotonic()

    thread = threading.Thread(target=poll, name="spark-progress", daemon=True)
    started = time.monotonic()
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=2)
        print(f"{description}: done in {time.monotonic() - started:.1f} s", flush=True)
