"""The router: balances, survives a replica dying under load, and says busy, gone or too slow."""

from __future__ import annotations

import asyncio
import os
import signal
import time

from workspace.serving.router import ModelRouter, RoutedResponse


def _route(backend, *requests: tuple[str, object, float], **options) -> list[RoutedResponse]:
    """Send the requests concurrently through one router and return the answers in order."""

    async def run() -> list[RoutedResponse]:
        router = ModelRouter(backend, **options)
        try:
            calls = [
                router.forward(dep, body, timeout_s=timeout) for dep, body, timeout in requests
            ]
            return await asyncio.gather(*calls)
        finally:
            await router.aclose()

    return asyncio.run(run())


def test_router_passes_answers_through_and_balances_over_ready_replicas(deploy, backend) -> None:
    replicas = deploy("echo.py", replicas=2)
    answers = _route(backend, *[("dep", {"n": n}, 5.0) for n in range(20)])
    assert [a.status_code for a in answers] == [200] * 20
    assert [a.body["response"] for a in answers] == [{"n": n} for n in range(20)]
    assert {a.replica_id for a in answers} == {r.replica_id for r in replicas}
    assert all(a.start_ms <= a.end_ms for a in answers)


def test_model_errors_are_passed_through_not_retried(deploy, backend) -> None:
    deploy("flaky.py", replicas=2)
    [bad, broken] = _route(backend, ("dep", {}, 5.0), ("dep", {"explode": 1}, 5.0))
    assert (bad.status_code, bad.body["message"]) == (400, "KeyError: x")
    assert broken.status_code == 500
    assert "fell over" in broken.body["message"]
    assert broken.replica_id is not None


def test_killed_replica_is_replaced_without_failed_requests(deploy, backend, ready) -> None:
    victim, _ = deploy("slow.py", replicas=2)
    killed_at: list[float] = []

    async def load() -> list[int]:
        router = ModelRouter(backend)
        statuses: list[int] = []
        stop_at = time.monotonic() + 3.0

        async def client() -> None:
            while time.monotonic() < stop_at:
                answer = await router.forward("dep", {"sleep": 0.01}, timeout_s=10)
                statuses.append(answer.status_code)

        async def killer() -> None:
            await asyncio.sleep(1.0)
            os.kill(victim.pid, signal.SIGKILL)
            killed_at.append(time.monotonic())

        await asyncio.gather(killer(), *[client() for _ in range(16)])
        await router.aclose()
        return statuses

    statuses = asyncio.run(load())
    assert len(statuses) > 100
    assert [s for s in statuses if s != 200] == []
    back = ready(backend, "dep", 2, timeout_s=max(0.1, killed_at[0] + 5 - time.monotonic()))
    replaced = next(r for r in back if r.replica_id == victim.replica_id)
    assert replaced.restarts == 1
    assert replaced.pid != victim.pid


def test_saturated_replicas_answer_429_model_busy(deploy, backend) -> None:
    deploy("slow.py")
    answers = _route(
        backend,
        *[("dep", {"sleep": 1.0}, 10.0)] * 3,
        max_inflight_per_replica=1,
        queue_timeout_s=0.3,
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200, 429, 429]
    busy = next(a for a in answers if a.status_code == 429)
    assert busy.body["message"].startswith("model.busy")
    assert busy.replica_id is None


def test_no_ready_replica_answers_503(backend) -> None:
    started = time.monotonic()
    [answer] = _route(backend, ("nothing-deployed", {}, 5.0), ready_wait_s=0.2)
    assert answer.status_code == 503
    assert answer.body["message"].startswith("model.unavailable")
    assert time.monotonic() - started < 3


def test_request_past_its_timeout_answers_504_and_the_replica_keeps_serving(
    deploy, backend
) -> None:
    deploy("slow.py")
    [late] = _route(backend, ("dep", {"sleep": 1.5}, 0.5))
    assert late.status_code == 504
    assert late.body["message"].startswith("model.timeout")
    assert 450 <= late.end_ms - late.start_ms < 1400
    [on_time] = _route(backend, ("dep", {"sleep": 0.01}, 5.0))
    assert on_time.status_code == 200


def test_a_freed_slot_goes_to_the_oldest_waiting_request_not_to_a_newcomer(deploy, backend) -> None:
    """First come, first served at a full replica: a request that reaches the router just as a
    slot frees queues behind those already waiting, and none is overtaken."""
    deploy("echo.py")

    async def run() -> list[str]:
        router = ModelRouter(backend, max_inflight_per_replica=1)
        deadline = asyncio.get_running_loop().time() + 5
        served: list[str] = []

        async def request(name: str) -> None:
            url = await router._acquire("dep", set(), deadline)
            served.append(name)
            await asyncio.sleep(0.01)
            router._release("dep", url)

        holder = await router._acquire("dep", set(), deadline)
        waiting = [asyncio.create_task(request(f"waiting {i}")) for i in range(3)]
        await asyncio.sleep(0.05)  # all three are in line
        newcomer = asyncio.create_task(request("newcomer"))  # runs before any waiter wakes
        router._release("dep", holder)
        await asyncio.gather(*waiting, newcomer)
        assert router._inflight == {}
        return served

    assert asyncio.run(run()) == ["waiting 0", "waiting 1", "waiting 2", "newcomer"]


def test_a_request_cancelled_in_line_or_as_its_slot_arrives_leaks_no_slot(deploy, backend) -> None:
    deploy("echo.py")

    async def run() -> None:
        router = ModelRouter(backend, max_inflight_per_replica=1)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 5
        holder = await router._acquire("dep", set(), deadline)
        given_up = asyncio.create_task(router._acquire("dep", set(), deadline))
        handed_late = asyncio.create_task(router._acquire("dep", set(), deadline))
        last = asyncio.create_task(router._acquire("dep", set(), deadline))
        await asyncio.sleep(0.05)
        given_up.cancel()  # gave up while in line
        await asyncio.sleep(0)
        router._release("dep", holder)  # the slot is handed to handed_late...
        handed_late.cancel()  # ...which is cancelled before it runs: the slot goes on
        url = await asyncio.wait_for(last, 2)
        router._release("dep", url)
        assert given_up.cancelled() and handed_late.cancelled()
        assert router._inflight == {} and not router._waiters["dep"]
        answer = await router.forward("dep", {"x": 1}, timeout_s=5)
        assert answer.status_code == 200
        await router.aclose()

    asyncio.run(run())
