"""The load generator: bounded, records every request, counts failures by type."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from workspace.load import LoadPlan, run_load


async def model(request: Request) -> JSONResponse:
    body = await request.json()
    if body.get("accessKey") != "k":
        return JSONResponse({"success": False, "message": "bad key"}, status_code=401)
    value = body["request"]["x"]
    if value == "boom":
        return JSONResponse({"success": False, "message": "model raised"}, status_code=500)
    answer = {"prediction": value, "uuid": f"u-{value}"}
    return JSONResponse({"success": True, "response": answer, "ReplicaID": f"r-{value % 2}"})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            Starlette(routes=[Route("/model", model, methods=["POST"])]),
            host="127.0.0.1",
            port=port,
            log_level="error",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}/model"
    server.should_exit = True
    thread.join(timeout=5)


def test_closed_loop_sends_exactly_count_requests_and_records_each(endpoint: str) -> None:
    plan = LoadPlan(
        url=endpoint, access_key="k", payloads=lambda i: {"x": i}, concurrency=4, count=40
    )
    result = run_load(plan)
    assert [r.index for r in result.records] == list(range(40))
    assert all(r.status == 200 and r.uuid == f"u-{r.index}" for r in result.records)
    assert result.summary.count == 40 and result.summary.error_rate == 0
    assert result.summary.replicas == {"r-0": 20, "r-1": 20}
    assert 0 < result.summary.p50_ms <= result.summary.p95_ms <= result.summary.max_ms


def test_open_loop_keeps_the_rate_and_stops_at_the_duration(endpoint: str) -> None:
    plan = LoadPlan(url=endpoint, access_key="k", payloads=[{"x": 1}], rate=50, duration_s=0.6)
    started = time.perf_counter()
    result = run_load(plan)
    assert time.perf_counter() - started < 5
    assert 25 <= result.summary.count <= 31


def test_a_rate_profile_ramps_the_open_loop_rate(endpoint: str) -> None:
    ramp = LoadPlan(
        url=endpoint,
        payloads=[{"x": 1}],
        rate_profile=lambda t: 16 if t < 0.5 else 64,
        duration_s=1.0,
    )
    starts = [ramp.next_start(0, 0.0)]
    while starts[-1] < 1.0:
        starts.append(ramp.next_start(len(starts), starts[-1]))
    assert sum(t < 0.5 for t in starts) == 8 and sum(0.5 <= t < 1.0 for t in starts) == 32
    result = run_load(ramp)
    assert 36 <= result.summary.count <= 42


def test_failures_are_counted_by_type(endpoint: str) -> None:
    plan = LoadPlan(url=endpoint, access_key="k", payloads=[{"x": 1}, {"x": "boom"}], count=10)
    summary = run_load(plan).summary
    assert summary.failed == 5 and summary.errors_by_type == {"HTTP 500": 5}
    wrong_key = run_load(LoadPlan(url=endpoint, access_key="x", payloads=[{"x": 1}], count=3))
    assert wrong_key.summary.errors_by_type == {"HTTP 401": 3}


def test_an_endpoint_that_is_down_gives_errors_not_a_hang() -> None:
    plan = LoadPlan(
        url=f"http://127.0.0.1:{free_port()}/model", payloads=[{}], count=5, timeout_s=2
    )
    started = time.perf_counter()
    summary = run_load(plan).summary
    assert time.perf_counter() - started < 10
    assert summary.errors_by_type == {"connection refused": 5} and summary.error_rate == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({}, "count or duration_s"),
        ({"count": 0}, "count"),
        ({"count": 1, "concurrency": 0}, "concurrency"),
        ({"count": 1, "rate": -1}, "rate"),
    ],
)
def test_unbounded_or_invalid_plans_are_refused(kwargs: dict, field: str) -> None:
    with pytest.raises(ValueError, match=field):
        LoadPlan(url="http://x", payloads=[{}], **kwargs)
