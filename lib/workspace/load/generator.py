"""The load generator: sends CML-shaped model requests and records every one of them.

Why both loops: closed-loop (N workers, each waits for its answer) measures capacity; open-loop
(requests scheduled at a fixed rate whatever the answers) measures latency as users see it, and
latency is counted from the scheduled start so a slow endpoint cannot hide its queue. Every run is
bounded by a count or a duration and always stops by itself.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from workspace.load.summary import LoadSummary, RequestRecord, summarize


@dataclass(frozen=True)
class LoadPlan:
    """What to send, how fast and for how long.

    ``rate`` (requests/s) selects open-loop; without it, ``concurrency`` workers loop closed.
    ``rate_profile`` (requests/s as a function of seconds since the start) is open-loop at a
    changing rate, such as a ramp. ``payloads`` is a sequence cycled through, or a function of
    the request index.
    """

    url: str
    payloads: Sequence[Any] | Callable[[int], Any]
    access_key: str | None = None
    concurrency: int = 8
    rate: float | None = None
    count: int | None = None
    duration_s: float | None = None
    timeout_s: float = 30.0
    headers: dict[str, str] = field(default_factory=dict)
    envelope: bool = True  # False: send payloads as they are (another server's own format)
    rate_profile: Callable[[float], float] | None = None

    def __post_init__(self) -> None:
        if self.count is None and self.duration_s is None:
            raise ValueError("a load needs a bound: give count or duration_s")
        if self.count is not None and self.count <= 0:
            raise ValueError(f"count must be > 0, got {self.count}")
        if self.duration_s is not None and self.duration_s <= 0:
            raise ValueError(f"duration_s must be > 0, got {self.duration_s}")
        if self.concurrency <= 0:
            raise ValueError(f"concurrency must be > 0, got {self.concurrency}")
        if self.rate is not None and self.rate <= 0:
            raise ValueError(f"rate must be > 0, got {self.rate}")
        if self.rate_profile is not None and self.duration_s is None:
            raise ValueError("a rate profile needs duration_s")

    def next_start(self, index: int, previous: float) -> float:
        """Seconds after the start at which request ``index`` is scheduled (open loop)."""
        if self.rate_profile is None:
            return index / float(self.rate or 1)
        if index == 0:
            return 0.0
        return previous + 1 / max(self.rate_profile(previous), 1e-3)

    def body(self, index: int) -> dict[str, Any]:
        payload = (
            self.payloads(index)
            if callable(self.payloads)
            else self.payloads[index % len(self.payloads)]
        )
        if not self.envelope:
            return payload
        body: dict[str, Any] = {"request": payload}
        if self.access_key is not None:
            body["accessKey"] = self.access_key
        return body


@dataclass
class LoadResult:
    records: list[RequestRecord]
    summary: LoadSummary


def _uuid_of(answer: dict[str, Any]) -> str | None:
    response = answer.get("response")
    if isinstance(response, dict) and isinstance(response.get("uuid"), str):
        return response["uuid"]
    uuid = answer.get("PredictionUUID")
    return uuid if isinstance(uuid, str) else None


async def _send(
    session: aiohttp.ClientSession, plan: LoadPlan, index: int, scheduled: float
) -> RequestRecord:
    start_wall = time.time() * 1000
    try:
        async with session.post(plan.url, json=plan.body(index), headers=plan.headers) as answer:
            status = answer.status
            try:
                payload = await answer.json(content_type=None)
            except ValueError:
                payload = {}
        latency = (time.perf_counter() - scheduled) * 1000
        ok = status == 200 and isinstance(payload, dict) and payload.get("success", True)
        return RequestRecord(
            index,
            start_wall,
            latency,
            status,
            None if ok else f"HTTP {status}",
            payload.get("ReplicaID") if isinstance(payload, dict) else None,
            _uuid_of(payload) if isinstance(payload, dict) else None,
            payload.get("response") if ok else payload,
        )
    except TimeoutError:
        error = "timeout"
    except aiohttp.ClientConnectorError:
        error = "connection refused"
    except aiohttp.ClientError as exc:
        error = type(exc).__name__
    latency = (time.perf_counter() - scheduled) * 1000
    return RequestRecord(index, start_wall, latency, 0, error, None, None)


async def _run(
    plan: LoadPlan,
    progress: Callable[[int], None] | None,
    stop: threading.Event | None = None,
) -> LoadResult:
    timeout = aiohttp.ClientTimeout(total=plan.timeout_s)
    connector = aiohttp.TCPConnector(limit=max(plan.concurrency, 1) * 2)
    records: list[RequestRecord] = []
    started = time.perf_counter()
    deadline = started + plan.duration_s if plan.duration_s else float("inf")
    counter = itertools.count()
    limit = plan.count if plan.count is not None else float("inf")

    def next_index() -> int | None:
        index = next(counter)
        stopped = stop is not None and stop.is_set()
        return index if index < limit and time.perf_counter() < deadline and not stopped else None

    def done(record: RequestRecord) -> None:
        records.append(record)
        if progress:
            progress(1)

    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        if plan.rate is None and plan.rate_profile is None:

            async def worker() -> None:
                while (index := next_index()) is not None:
                    done(await _send(session, plan, index, time.perf_counter()))

            await asyncio.gather(*(worker() for _ in range(plan.concurrency)))
        else:
            in_flight = asyncio.Semaphore(max(plan.concurrency, 256))
            tasks = []

            async def one(index: int, scheduled: float) -> None:
                async with in_flight:
                    done(await _send(session, plan, index, scheduled))

            offset = 0.0
            while (index := next_index()) is not None:
                offset = plan.next_start(index, offset)
                scheduled = started + offset
                await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
                tasks.append(asyncio.create_task(one(index, scheduled)))
            await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - started
    records.sort(key=lambda r: r.index)
    return LoadResult(records, summarize(records, elapsed))


def run_load(plan: LoadPlan, progress: Callable[[int], None] | None = None) -> LoadResult:
    """Run ``plan`` to completion; ``progress`` is called once per finished request."""
    return asyncio.run(_run(plan, progress))
