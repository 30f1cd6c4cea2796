"""The two C load generators of the serving bench, each run for one round against one URL.

``closed_loop``: ``wrk -t1 -c8``, 8 keep-alive connections with one request in flight each.
``open_loop``: ``h2load --h1 --rps``, requests on a fixed schedule whatever the server does.
Both report requests/s and p50/p99/p99.9 in milliseconds as a ``Round``.
"""

from __future__ import annotations

import json
import math
import subprocess
from dataclasses import dataclass
from pathlib import Path

OPEN_CONNECTIONS = 64
WARM_UP_S = 2.0
"""Seconds of an open-loop round sent before its latencies count."""
WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK {\\"requests\\": %d, \\"duration_us\\": %d, \\"errors\\": %d, \\"non2xx\\": %d, "
    .. "\\"p50\\": %d, \\"p99\\": %d, \\"p999\\": %d, \\"max\\": %d}\\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max))
end
"""


@dataclass
class Round:
    """One load round against one endpoint: requests answered per second and latency in ms."""

    rps: float
    p50: float
    p99: float
    p999: float
    answered: int
    failed: int

    def line(self, name: str) -> str:
        ratio = f"{self.p99 / self.p50:8.1f}x" if self.p50 else f"{'-':>9}"  # nothing answered
        return (
            f"  {name:<34}{self.rps:9.0f}{self.p50:9.2f}{self.p99:9.2f}{self.p999:9.2f}"
            f"{ratio}{self.failed:7d}"
        )


HEADER = (
    f"  {'endpoint':<34}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'p99.9 ms':>9}"
    f"{'p99/p50':>9}{'failed':>7}"
)


def closed_loop(url: str, body: dict, seconds: float, work: Path) -> Round:
    """``wrk -t1 -c8`` for ``seconds``: 8 keep-alive connections, one request in flight each."""
    script = work / "wrk.lua"
    script.write_text(
        f'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
        f"wrk.body = [==[{json.dumps(body)}]==]\n{WRK_REPORT}"
    )
    out = subprocess.run(
        ["wrk", "-t1", "-c8", f"-d{seconds:g}s", "--timeout", "30s", "-s", str(script), url],
        capture_output=True, text=True, check=True, timeout=seconds + 60,
    ).stdout  # fmt: skip
    report = json.loads(next(ln for ln in out.splitlines() if ln.startswith("WRK "))[4:])
    ok = report["requests"] - report["non2xx"]
    return Round(
        rps=ok / (report["duration_us"] / 1e6),
        p50=report["p50"] / 1000,
        p99=report["p99"] / 1000,
        p999=report["p999"] / 1000,
        answered=report["requests"],
        failed=report["non2xx"] + report["errors"],
    )


def stagger_ms(rate: float, connections: int = OPEN_CONNECTIONS) -> int:
    """Milliseconds between connection starts that spread ``rate`` evenly over time.

    Why it matters: every connection sends once per period ``connections / rate``, starting when
    it connects, so their send times are the start times folded into one period. h2load starts
    connections on a whole-millisecond grid; 1 ms apart at 528 requests/s crowds all 64 sends of a
    121 ms period into its first 64 ms, a burst at 1,000/s that queues behind a 660/s server and
    shows as tail latency it does not have. The step chosen covers the period a whole number of
    times, as nearly as whole milliseconds allow (2 ms there: 128 ms of starts fold over 121 ms),
    within 8 ms, so the starts take at most half a second of a round.
    """
    period_ms = 1000 * connections / rate

    def unevenness(step: int) -> float:
        laps = step * connections / period_ms  # how many times the starts wrap the period
        return abs(laps - round(laps)) / laps

    least = math.ceil(period_ms / connections)  # fewer would leave part of each period empty
    return min(range(least, max(least, 8) + 1), key=unevenness)


def open_loop(
    url: str, body: dict, rate: float, seconds: float, work: Path, headers: tuple[str, ...] = ()
) -> Round:
    """``h2load --h1 --rps``: requests leave on a fixed schedule whatever the server does, over
    ``OPEN_CONNECTIONS`` keep-alive connections started ``stagger_ms(rate)`` apart, each sending
    every ``OPEN_CONNECTIONS / rate`` seconds; a stall shorter than that interval delays no
    arrival. The first ``WARM_UP_S`` are sent but not counted, as wrk2 calibrates before it
    measures: 64 connections opening at once cost the server more than their requests do.
    ``headers``: more ``name: value`` lines to send with every request."""
    total = int(rate * (seconds + WARM_UP_S))
    data, log = work / "body.json", work / "h2load.tsv"
    data.write_text(json.dumps(body))
    log.unlink(missing_ok=True)
    step = stagger_ms(rate)
    command = ["h2load", "--h1", "-t1", f"-c{OPEN_CONNECTIONS}", "-r1", f"--rate-period={step}ms"]
    command += [f"--rps={rate / OPEN_CONNECTIONS:.3f}", f"-n{total}", "-d", str(data)]
    # a connection with no answer for 30 s gives up and its requests count as failed, so an
    # engine that stops answering yields a round with failures instead of no round at all
    command += ["-N30s", f"--log-file={log}", "-H", "content-type: application/json"]
    command += [arg for header in headers for arg in ("-H", header)] + [url]
    subprocess.run(command, capture_output=True, check=True, timeout=seconds * 3 + 60)
    rows = log_rows(log)
    answered = sum(status != -1 for _, status, _ in rows)
    failed = total - sum(status == 200 for _, status, _ in rows)
    counted_from, counted = after_warm_up(rows)
    if len(counted) < 2:
        return Round(0.0, 0.0, 0.0, 0.0, answered, failed)
    span_s = (max(start for start, _ in counted) - counted_from) / 1e6
    p50, p99, p999 = percentiles([us / 1000 for _, us in counted])
    return Round(len(counted) / span_s, p50, p99, p999, answered, failed)


def log_rows(log: Path) -> list[list[int]]:
    """h2load's per-request log: start (µs since the epoch), status (-1: no answer), latency
    (µs), a row each."""
    return [[int(v) for v in line.split("\t")] for line in log.read_text().splitlines() if line]


def after_warm_up(rows: list[list[int]]) -> tuple[float, list[tuple[int, int]]]:
    """When counting starts (``WARM_UP_S`` after the first request), and the (start, latency µs)
    of every request answered 200 that left from then on."""
    counted_from = min((start for start, _, _ in rows), default=0) + WARM_UP_S * 1e6
    return counted_from, [
        (start, us) for start, status, us in rows if status == 200 and start >= counted_from
    ]


def percentiles(latencies_ms: list[float]) -> tuple[float, float, float]:
    """p50, p99 and p99.9 of at least one latency, exact (nearest rank)."""
    ordered = sorted(latencies_ms)

    def pick(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return pick(0.5), pick(0.99), pick(0.999)


def burst(url: str, body: dict, requests: int, work: Path) -> tuple[list[int], list[float]]:
    """``requests`` requests at once, one connection each: every status (-1: no answer) and
    latency in ms, from h2load's per-request log."""
    data, log = work / "burst.json", work / "burst.tsv"
    data.write_text(json.dumps(body))
    log.unlink(missing_ok=True)
    command = ["h2load", "--h1", "-t1", f"-c{requests}", f"-n{requests}", "-d", str(data)]
    command += [f"--log-file={log}", "-H", "content-type: application/json", url]
    subprocess.run(command, capture_output=True, check=True, timeout=120)
    rows = [line.split("\t") for line in log.read_text().splitlines() if line]
    statuses = [int(r[1]) for r in rows] + [-1] * (requests - len(rows))
    return statuses, [int(r[2]) / 1000 for r in rows] + [0.0] * (requests - len(rows))
