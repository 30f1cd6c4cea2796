"""Would a second front process lift serving on this machine? Its best case, measured.

    .venv/bin/python bench/bench_two_fronts.py            # ~3 minutes

A second front sharing the port (SO_REUSEPORT) and the routing state would split the server's
work across two processes. Its best case is two fronts that share nothing: two workspace servers,
each with its own echo replica, loaded at once. Coordination between them could only cost more.
Each round prints:

- closed loop, ``wrk -t1 -c8``: one front alone, then both at once (one wrk each), and the ratio
  of their summed requests/s to one front's;
- open loop, ``h2load --h1 --rps``: one front at 80% of its closed-loop rate; both fronts at 80%
  of their summed rate, half each; and both at one front's 80%, half each (the same load spread
  over two loops). Percentiles are over every request of both fronts.

If two fronts that share nothing neither double the rate nor bring the open-loop p99 near 3× p50,
a front sharing state will not either: on two cores the fronts, the replicas and the load
generators take turns on the same CPUs.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_serving_tail import warm, workspace
from serving_tail.loadgen import (
    Round,
    after_warm_up,
    closed_loop,
    log_rows,
    open_loop,
    percentiles,
)

SECONDS = 10.0
ROUNDS = 2


def at_once(*runs: Callable[[], Round]) -> list[Round]:
    """Run the load generators side by side (each is a C process; the threads only wait)."""
    results: list[Round | None] = [None] * len(runs)
    threads = [
        threading.Thread(target=lambda i=i, run=run: results.__setitem__(i, run()))
        for i, run in enumerate(runs)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if any(r is None for r in results):
        raise SystemExit("error: a load generator failed; see the lines above")
    return [r for r in results if r is not None]


def pooled(logs: list[Path]) -> tuple[float, float, float]:
    """p50, p99 and p99.9 in ms over the answered requests of several h2load logs, each counted
    after its own warm-up, as ``open_loop`` counts one."""
    latencies = [us / 1000 for log in logs for _, us in after_warm_up(log_rows(log))[1]]
    if not latencies:
        raise SystemExit("error: no request of the open-loop round was answered")
    return percentiles(latencies)


def main() -> None:
    for tool in ("wrk", "h2load"):
        if shutil.which(tool) is None:
            sys.exit(f"error: {tool} not found: run `make setup` (bin/install-load-generators)")
    work = Path(tempfile.mkdtemp(prefix="bench-fronts-"))
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start")
    try:
        with contextlib.ExitStack() as stack:
            fronts = []
            for name in ("a", "b"):
                (work / name / "home").mkdir(parents=True)
                (work / name / "load").mkdir()
                endpoints = stack.enter_context(workspace(work / name / "home"))
                warm(*endpoints.echo)
                fronts.append((endpoints.echo, work / name / "load"))
            compare(fronts)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"load average {os.getloadavg()[0]:.2f} at end")


def compare(fronts: list[tuple[tuple[str, dict], Path]]) -> None:
    (a, a_dir), (b, b_dir) = fronts
    logs = [a_dir / "h2load.tsv", b_dir / "h2load.tsv"]
    for i in range(ROUNDS):
        one = closed_loop(*a, SECONDS, a_dir)
        both = at_once(
            lambda: closed_loop(*a, SECONDS, a_dir), lambda: closed_loop(*b, SECONDS, b_dir)
        )
        two = sum(r.rps for r in both)
        print(
            f"round {i + 1}, closed loop wrk -c8: one front {one.rps:.0f} req/s "
            f"(p99/p50 {one.p99 / one.p50:.1f}x); two fronts {both[0].rps:.0f} + {both[1].rps:.0f}"
            f" = {two:.0f} req/s, {two / one.rps:.2f}x one front",
            flush=True,
        )
        alone = open_loop(*a, 0.8 * one.rps, SECONDS, a_dir)
        print(
            f"  open loop, one front at {0.8 * one.rps:.0f}/s: p50 {alone.p50:.2f} ms, "
            f"p99 {alone.p99:.2f} ms, {alone.p99 / alone.p50:.1f}x",
            flush=True,
        )
        for total, why in ((0.8 * two, "80% of both"), (0.8 * one.rps, "one front's 80%")):
            at_once(
                lambda t=total: open_loop(*a, t / 2, SECONDS, a_dir),
                lambda t=total: open_loop(*b, t / 2, SECONDS, b_dir),
            )
            p50, p99, p999 = pooled(logs)
            print(
                f"  open loop, two fronts at {total:.0f}/s in all ({why}): p50 {p50:.2f} ms, "
                f"p99 {p99:.2f} ms, p99.9 {p999:.2f} ms, {p99 / p50:.1f}x",
                flush=True,
            )


if __name__ == "__main__":
    main()
