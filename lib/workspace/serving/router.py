"""The router in front of a deployment's replicas: balance, retry, bound, time out.

- Balancing: least outstanding requests over ready replicas, ties broken round robin.
- Retries: a request whose replica refuses the connection or dies mid-request goes to another
  ready replica (a replica killed under load costs no failed request); a model's own 4xx/5xx
  answers are passed through, never retried.
- Draining: ``inflight(deployment_id)`` counts the requests a deployment still owes an answer,
  so a stop can wait for them after routing has moved on (a redeploy then fails no request).
- Back-pressure: at most ``max_inflight_per_replica`` requests wait at each replica; past that a
  request queues here, and after ``queue_timeout_s`` answers 429 ``model.busy``: the signal to
  redeploy with more replicas. 503 when no replica is ready, 504 past the request timeout.

Why aiohttp: one pooled keep-alive session with a C parser keeps router overhead well under a
millisecond, which a per-request client or a sync client in a thread pool cannot.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Any

import aiohttp

from workspace.serving.backend import REPLICA_SECRET_HEADER, ServingBackend

_HEADERS = {"Content-Type": "application/json"}
_SUSPECT_S = 2.0
_POLL_S = 0.05
_RECHECK_S = 0.5
"""How often a queued request looks whether a replica has become ready or freed a slot."""


@dataclass
class RoutedResponse:
    """A replica's answer (or the router's own error) and when the request started and ended."""

    status_code: int
    body: dict
    replica_id: str | None
    start_ms: int
    end_ms: int


def _waiting(waiters: deque[asyncio.Future[str]]) -> bool:
    """Whether a request is still in line (cancelled ones are dropped from the front)."""
    while waiters and waiters[0].done():
        waiters.popleft()
    return bool(waiters)


class _Busy(Exception):
    pass


class _Lost(Exception):
    """A replica gone mid-request behind a proxy: retried like a dropped connection."""


class ModelRouter:
    def __init__(
        self,
        backend: ServingBackend,
        *,
        max_inflight_per_replica: int = 8,
        queue_timeout_s: float = 10.0,
        ready_wait_s: float = 5.0,
        max_attempts: int = 4,
    ) -> None:
        self.backend = backend
        self.max_inflight = max_inflight_per_replica
        self.queue_timeout_s = queue_timeout_s
        self.ready_wait_s = ready_wait_s
        self.max_attempts = max_attempts
        self._session: aiohttp.ClientSession | None = None
        self._session_loop: asyncio.AbstractEventLoop | None = None
        self._inflight: dict[str, int] = {}
        self._active: dict[str, int] = {}
        self._suspect: dict[str, float] = {}
        self._waiters: dict[str, deque[asyncio.Future[str]]] = defaultdict(deque)
        self._turn = 0

    def inflight(self, deployment_id: str) -> int:
        """Requests inside ``forward`` for the deployment now (queued, sent or being retried):
        what a draining stop waits on. Read from other threads; one dict lookup."""
        return self._active.get(deployment_id, 0)

    async def forward(
        self, deployment_id: str, request: Any, *, timeout_s: float
    ) -> RoutedResponse:
        """Send ``request`` to one ready replica of the deployment and return its answer."""
        active = self._active
        active[deployment_id] = active.get(deployment_id, 0) + 1
        try:
            return await self._forward(deployment_id, request, timeout_s)
        finally:
            left = active[deployment_id] - 1
            if left:
                active[deployment_id] = left
            else:
                del active[deployment_id]

    async def _forward(self, deployment_id: str, request: Any, timeout_s: float) -> RoutedResponse:
        start_ms = int(time.time() * 1000)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        payload = json.dumps({"request": request}, separators=(",", ":")).encode()
        tried: set[str] = set()
        status, body, replica_id = 503, _msg("model.unavailable: no replica is ready"), None
        for _ in range(self.max_attempts):
            try:
                url = await self._acquire(deployment_id, tried, deadline)
            except _Busy:
                status = 429
                body = _msg(
                    f"model.busy: every replica of {deployment_id} stayed busy for "
                    f"{self.queue_timeout_s:g} s; deploy more replicas"
                )
                break
            if url is None:
                status = 504 if loop.time() >= deadline else 503
                body = _msg(_no_replica(deployment_id, status, timeout_s))
                break
            secret = self.backend.secret(deployment_id) or ""
            try:
                status, body, replica_id = await self._send(
                    url, payload, deadline - loop.time(), secret
                )
                break
            except TimeoutError:
                status, body = 504, _msg(f"model.timeout: no answer within {timeout_s:g} s")
                break
            except aiohttp.ClientConnectorError as exc:  # nothing listens: dead or restarting
                self._suspect[url] = loop.time() + _SUSPECT_S
                tried.add(url)
                status, body = 503, _msg(f"model.unavailable: replica unreachable: {exc}")
            except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError, _Lost) as exc:
                tried.add(url)  # died mid-request, or a stale keep-alive connection
                status, body = 503, _msg(f"model.unavailable: replica failed mid-request: {exc}")
            finally:
                self._release(deployment_id, url)
        return RoutedResponse(status, body, replica_id, start_ms, int(time.time() * 1000))

    async def _send(
        self, url: str, payload: bytes, timeout: float, secret: str
    ) -> tuple[int, dict, str | None]:
        session, loop = self._session, asyncio.get_running_loop()
        if session is None or session.closed or self._session_loop is not loop:
            connector = aiohttp.TCPConnector(limit=0, keepalive_timeout=30)
            session = self._session = aiohttp.ClientSession(
                connector=connector, auto_decompress=False, skip_auto_headers=("User-Agent",)
            )
            self._session_loop = loop  # a session serves one event loop
        if timeout <= 0:
            raise TimeoutError
        async with session.post(
            url + "/predict",
            data=payload,
            headers={**_HEADERS, REPLICA_SECRET_HEADER: secret},
            timeout=aiohttp.ClientTimeout(total=timeout),
        ) as response:
            raw = await response.read()
            replica_id = response.headers.get("x-replica-id")
            status = response.status
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            if status >= 500:  # a proxy in front (Ray Serve's) lost the replica mid-request
                raise _Lost(f"the replica's proxy answered {status} without JSON")
            return 502, _msg(f"model.bad_gateway: replica answered {status} without JSON"), None
        return status, body, replica_id

    async def _acquire(self, deployment_id: str, tried: set[str], deadline: float) -> str | None:
        """A replica URL with a slot taken for this request, or None when none became ready in
        time; raises _Busy when replicas are ready but all stayed full past the queue timeout.

        Why first come, first served: a slot freed while requests wait is handed to the oldest
        of them (``_release``), and a request that arrives while others wait queues behind them.
        When a freed slot went to whichever request reached the router next, a woken waiter
        often found it taken and queued again at the back; near capacity a few requests waited
        tens of milliseconds while the rest passed them, the tail of an open-loop load."""
        loop = asyncio.get_running_loop()
        queue_deadline = min(deadline, loop.time() + self.queue_timeout_s)
        ready_deadline = min(deadline, loop.time() + self.ready_wait_s)
        waiters = self._waiters[deployment_id]
        waiter: asyncio.Future[str] | None = None  # this request's place in line, once queued
        try:
            while True:
                now = loop.time()
                urls = self._candidates(deployment_id, tried, now)
                if urls:
                    url = min(urls, key=lambda u: self._inflight.get(u, 0))
                    free = self._inflight.get(url, 0) < self.max_inflight
                    if free and (waiter is not None or not _waiting(waiters)):
                        self._inflight[url] = self._inflight.get(url, 0) + 1
                        return url
                    if now >= queue_deadline:
                        raise _Busy
                    if waiter is None:
                        waiter = loop.create_future()
                        waiters.append(waiter)
                    # wake now and then to look again: a replica may have become ready
                    await asyncio.wait((waiter,), timeout=min(queue_deadline - now, _RECHECK_S))
                    if waiter.done():
                        return waiter.result()
                elif now >= ready_deadline:
                    return None
                else:
                    await asyncio.sleep(min(_POLL_S, max(0.0, ready_deadline - now)))
        except asyncio.CancelledError:
            if waiter is not None and waiter.done() and not waiter.cancelled():
                self._release(deployment_id, waiter.result())  # handed as the caller gave up
            raise
        finally:
            if waiter is not None and not waiter.done():
                waiter.cancel()
                with contextlib.suppress(ValueError):
                    waiters.remove(waiter)

    def _candidates(self, deployment_id: str, tried: set[str], now: float) -> list[str]:
        usable = self._usable(deployment_id, now)
        fresh = [u for u in usable if u not in tried]
        urls = fresh or usable  # a replica that dropped one connection gets a second chance
        if len(urls) > 1:
            self._turn = (self._turn + 1) % len(urls)
            urls = urls[self._turn :] + urls[: self._turn]
        return urls

    def _release(self, deployment_id: str, url: str) -> None:
        """Free a request's slot: straight to the oldest request in line when the replica can
        still take it, else back to the count."""
        waiters = self._waiters.get(deployment_id)
        if waiters and _waiting(waiters):
            now = asyncio.get_running_loop().time()
            if url in self._usable(deployment_id, now):
                waiters.popleft().set_result(url)  # the slot changes hands; the count stays
                return
        self._inflight[url] -= 1
        if self._inflight[url] <= 0:
            del self._inflight[url]

    def _usable(self, deployment_id: str, now: float) -> list[str]:
        """Ready replicas not suspected of being down."""
        ready = self.backend.ready_urls(deployment_id)
        return [u for u in ready if self._suspect.get(u, 0.0) <= now]

    async def aclose(self) -> None:
        """Close pooled connections; the router can be used again afterwards."""
        if self._session is not None:
            await self._session.close()
            self._session = None


def _msg(text: str) -> dict:
    return {"message": text}


def _no_replica(deployment_id: str, status: int, timeout_s: float) -> str:
    if status == 504:
        return f"model.timeout: no replica of {deployment_id} answered within {timeout_s:g} s"
    return f"model.unavailable: no replica of {deployment_id} is ready"
