"""The metric writer child on a real SQLite database: it commits batches below the server's CPU
priority, a dead child is replaced without losing a row, a batch the database refuses stays the
caller's with a one-line reason, and where no child can start the caller's thread writes."""

from __future__ import annotations

import os
import signal
import sys
import time

import psutil
import pytest
from sqlalchemy import select
from workspace.server.services.metric_writer import (
    WRITER_NICE,
    MetricWriteError,
    MetricWriterProcess,
)
from workspace.server.services.telemetry import Telemetry
from workspace.server.storage import tables as db
from workspace.serving.local_backend import LocalProcessBackend


def _row(uuid: str, start_ms: int, **changes) -> dict:
    return {
        "prediction_uuid": uuid,
        "model_crn": "crn:model",
        "build_crn": "crn:build",
        "deployment_crn": "crn:deployment",
        "start_ms": start_ms,
        "end_ms": start_ms + 5,
        "latency_ms": 5.0,
        "replica_id": "r-1",
        "status_code": 200,
        "metrics": {},
    } | changes


@pytest.fixture()
def store(tmp_path):
    url = f"sqlite:///{tmp_path / 'workspace.db'}"
    engine = db.make_engine(url)
    sessions = db.make_sessionmaker(engine)
    writer = MetricWriterProcess(url)
    telemetry = Telemetry(
        sessions, LocalProcessBackend(tmp_path / "replicas"), list, writer=writer.write
    )
    yield engine, sessions, writer, telemetry
    writer.close()
    engine.dispose()


def _uuids(sessions) -> list[str]:
    with sessions() as session:
        return list(
            session.scalars(
                select(db.PredictionMetric.prediction_uuid).order_by(db.PredictionMetric.id)
            )
        )


def _child(writer: MetricWriterProcess) -> psutil.Process:
    assert writer._child is not None, "the writer has no child process"
    return psutil.Process(writer._child.pid)


def test_the_child_commits_batches_as_recorded_below_the_servers_priority(store):
    _engine, sessions, writer, telemetry = store
    now = int(time.time() * 1000)
    rows = [
        _row("plain", now),
        _row("tracked", now + 1, metrics={"score": 0.25, "label": "late"}),
        _row("timed-out", now + 2, replica_id=None, status_code=504),
    ]
    for row in rows:
        telemetry.record(row, "m", 0.005)
    assert telemetry.flush() == 3
    with sessions() as session:
        stored = session.scalars(select(db.PredictionMetric).order_by(db.PredictionMetric.id))
        assert [{c: getattr(r, c) for c in rows[0]} for r in stored] == rows
    assert _child(writer).pid != os.getpid()
    assert _child(writer).nice() == min(19, os.getpriority(os.PRIO_PROCESS, 0) + WRITER_NICE)


def test_a_child_that_died_is_replaced_and_no_row_is_lost(store):
    _engine, sessions, writer, telemetry = store
    now = int(time.time() * 1000)
    telemetry.record(_row("before", now), "m", 0.005)
    telemetry.flush()
    first = _child(writer)
    os.kill(first.pid, signal.SIGKILL)
    first.wait(10)
    telemetry.record(_row("after", now + 1), "m", 0.005)
    assert telemetry.flush() == 1
    assert _uuids(sessions) == ["before", "after"]
    assert _child(writer).pid != first.pid


def test_the_child_ignores_the_servers_interrupt_and_ends_with_its_pipe(store):
    _engine, _sessions, writer, telemetry = store
    writer.start()
    child = _child(writer)
    child.send_signal(signal.SIGINT)  # Ctrl-C reaches the whole process group
    child.send_signal(signal.SIGTERM)
    telemetry.record(_row("last", int(time.time() * 1000)), "m", 0.005)
    assert telemetry.flush() == 1  # the server's last flush on shutdown still has its writer
    assert _child(writer).pid == child.pid
    writer.close()
    assert not child.is_running()


def test_a_batch_the_database_refuses_stays_the_callers_with_a_one_line_reason(store):
    engine, sessions, _writer, telemetry = store
    now = int(time.time() * 1000)
    telemetry.record(_row("first", now), "m", 0.005)
    with engine.begin() as connection:  # the database refuses the write
        connection.exec_driver_sql("ALTER TABLE prediction_metrics RENAME TO elsewhere")
    with pytest.raises(MetricWriteError) as refused:
        telemetry.flush()
    assert "no such table" in str(refused.value)
    assert "\n" not in str(refused.value) and len(str(refused.value)) < 400
    telemetry.record(_row("second", now + 1), "m", 0.005)
    with engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE elsewhere RENAME TO prediction_metrics")
    assert telemetry.flush() == 2
    assert _uuids(sessions) == ["first", "second"]


def test_where_no_child_can_start_the_callers_thread_writes(store, monkeypatch, tmp_path):
    _engine, sessions, writer, telemetry = store
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-such-python"))
    telemetry.record(_row("here", int(time.time() * 1000)), "m", 0.005)
    assert telemetry.flush() == 1
    assert _uuids(sessions) == ["here"]
    assert writer._child is None
