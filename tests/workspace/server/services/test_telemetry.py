"""The telemetry service on a real SQLite database: a flush that fails keeps its rows for the
next one, every recorded row is written once and reads back as recorded, and the purge deletes
only rows past their retention."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from workspace.server.services.metric_writer import METRIC_COLUMNS
from workspace.server.services.telemetry import DAY_MS, Telemetry
from workspace.server.storage import tables as db
from workspace.serving.local_backend import LocalProcessBackend


def _row(uuid: str, start_ms: int) -> dict:
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
    }


@pytest.fixture()
def store(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'workspace.db'}")
    sessions = db.make_sessionmaker(engine)
    telemetry = Telemetry(sessions, LocalProcessBackend(tmp_path / "replicas"), list)
    yield engine, sessions, telemetry
    engine.dispose()


def _uuids(sessions) -> list[str]:
    with sessions() as session:
        rows = session.scalars(select(db.PredictionMetric).order_by(db.PredictionMetric.id))
        return [r.prediction_uuid for r in rows]


def test_a_flush_that_fails_keeps_its_rows_for_the_next_flush(store):
    engine, sessions, telemetry = store
    now = int(time.time() * 1000)
    telemetry.record(_row("first", now), "m", 0.005)
    with engine.begin() as connection:  # the database refuses the write
        connection.exec_driver_sql("ALTER TABLE prediction_metrics RENAME TO elsewhere")
    with pytest.raises(OperationalError):
        telemetry.flush()
    telemetry.record(_row("second", now + 1), "m", 0.005)
    with engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE elsewhere RENAME TO prediction_metrics")
    assert telemetry.flush() == 2
    assert _uuids(sessions) == ["first", "second"]
    assert telemetry.flush() == 0


def test_the_purge_deletes_only_rows_past_their_retention(store):
    _engine, sessions, telemetry = store
    now = int(time.time() * 1000)
    telemetry.record(_row("old", now - 31 * DAY_MS), "m", 0.005)
    telemetry.record(_row("recent", now - 29 * DAY_MS), "m", 0.005)
    telemetry.flush()
    with sessions() as session:
        for age_days, replica in ((8, "old"), (6, "recent")):
            session.add(
                db.ReplicaSample(
                    deployment_id="d", replica_id=replica, ts_ms=now - age_days * DAY_MS,
                    state="ready", restarts=0, cpu_percent=1.0, cpu_limit=1.0,
                    memory_mb=10.0, memory_limit_mb=100.0,
                )
            )  # fmt: skip
        session.commit()
    assert telemetry.purge(metrics_days=30, samples_days=7) == (1, 1)
    assert _uuids(sessions) == ["recent"]
    with sessions() as session:
        assert session.scalars(select(db.ReplicaSample.replica_id)).all() == ["recent"]


def test_flushed_rows_read_back_as_the_endpoint_recorded_them(store):
    _engine, sessions, telemetry = store
    now = int(time.time() * 1000)
    tracked = _row("tracked", now) | {"metrics": {"score": 0.25, "label": "late"}}
    timed_out = _row("timed-out", now + 1) | {"replica_id": None, "status_code": 504}
    for row in (_row("plain", now), tracked, timed_out):
        telemetry.record(row, "m", 0.005)
    assert telemetry.flush() == 3
    with sessions() as session:
        stored = session.scalars(select(db.PredictionMetric).order_by(db.PredictionMetric.id))
        got = [{c: getattr(r, c) for c in METRIC_COLUMNS} for r in stored]
    assert got == [_row("plain", now), tracked, timed_out]


def test_rows_recorded_while_flushes_run_are_each_written_once(store):
    _engine, sessions, telemetry = store
    now = int(time.time() * 1000)
    done = threading.Event()

    def serve() -> None:
        for i in range(3000):
            telemetry.record(_row(f"p{i}", now + i), "m", 0.001)
        done.set()

    server = threading.Thread(target=serve)
    server.start()
    written = 0
    while not done.is_set():
        written += telemetry.flush()
    server.join()
    written += telemetry.flush()
    assert written == 3000
    assert sorted(_uuids(sessions)) == sorted(f"p{i}" for i in range(3000))


def test_a_flush_returns_only_once_a_batch_another_flush_holds_is_written(store):
    """A reader flushes before reading its latest predictions; if the background flush has just
    taken the buffer, the reader's flush must wait for that batch instead of finding nothing."""
    _engine, sessions, _ = store
    in_hand, release, written = threading.Event(), threading.Event(), []

    def slow_writer(rows: list[dict]) -> None:
        in_hand.set()
        release.wait(5)
        written.extend(rows)

    telemetry = Telemetry(sessions, LocalProcessBackend(_engine.url.database + ".r"), list,
                          writer=slow_writer)  # fmt: skip
    telemetry.record(_row("p0", int(time.time() * 1000)), "m", 0.001)
    background = threading.Thread(target=telemetry.flush)
    background.start()
    assert in_hand.wait(5)
    reader = threading.Thread(target=telemetry.flush)
    reader.start()
    reader.join(0.3)
    assert reader.is_alive(), "the reader's flush returned before the batch in hand was written"
    release.set()
    background.join(5)
    reader.join(5)
    assert [r["prediction_uuid"] for r in written] == ["p0"]
