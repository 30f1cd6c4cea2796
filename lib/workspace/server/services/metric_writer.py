"""Request-metric batches written to the database, in a child process below serving's priority.

Why a child process: SQLite spends ~15 µs of CPU on each request row (the table and four
indexes, one keyed by a random UUID), so the half-second batch of a server answering 1,400
requests/s costs 10-18 ms of one core. Written from a thread of the serving process, that burst
took a core from the event loop or a replica at every flush: under an open-loop load at 40% of
capacity, the slowest 2% of requests came in 10-30 ms clusters 0.52 s apart, and their period
followed ``LAB_METRICS_FLUSH_S`` when it was changed. A child at ``nice`` 10 runs on the cores'
idle time and is preempted whenever a serving task wakes; the server only pickles the batch
(~0.5 ms per 700 rows, in C) and waits, without the GIL, for the child's answer.

The exchange on the child's stdin/stdout: the database URL, then one pickled batch at a time, each
answered by ``("ok", rows)`` once committed or ``("error", message)`` once rolled back. The caller
keeps a batch until it is answered ``ok``, so a child that dies loses nothing; it is restarted on
the next batch. A child that cannot be started at all leaves the writing to the caller's thread.
"""

from __future__ import annotations

import contextlib
import json
import logging
import operator
import os
import pickle
import signal
import struct
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any

from sqlalchemy import insert
from sqlalchemy.engine import Connection

from workspace.server.storage import tables as db

log = logging.getLogger("workspace.metric_writer")

METRIC_COLUMNS = (
    "prediction_uuid", "model_crn", "build_crn", "deployment_crn", "start_ms", "end_ms",
    "latency_ms", "replica_id", "status_code", "metrics",
)  # fmt: skip
"""The columns of one request row, in the order ``write_metric_rows`` binds them."""
WRITER_NICE = 10
"""How much lower than serving the child runs: a tenth of a serving task's CPU share under full
contention, more than the ~3% of a core 1,400 rows/s need."""
STOP_WAIT_S = 5.0
ERROR_CHARS = 300
_PLACEHOLDER = {"qmark": "?", "format": "%s", "pyformat": "%s"}
_INSERT = f"INSERT INTO prediction_metrics ({', '.join(METRIC_COLUMNS)}) VALUES ({{marks}})"
_LENGTH = struct.Struct("!I")


class MetricWriteError(RuntimeError):
    """The child could not write a batch; the batch is still the caller's."""


def write_metric_rows(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert request rows through the driver's ``executemany`` (SQLAlchemy's insert where the
    driver's parameter style is not positional); the caller commits. Why the driver's: its C
    loop costs less than half of SQLAlchemy's ORM bulk insert per row."""
    mark = _PLACEHOLDER.get(connection.dialect.paramstyle)
    if mark is None:
        connection.execute(insert(db.PredictionMetric.__table__), rows)
        return
    as_tuple = operator.itemgetter(*METRIC_COLUMNS)
    dumps, empty = json.dumps, "{}"
    params = [(*row[:-1], dumps(row[-1]) if row[-1] else empty) for row in map(as_tuple, rows)]
    connection.exec_driver_sql(
        _INSERT.format(marks=", ".join([mark] * len(METRIC_COLUMNS))), params
    )


def _send(stream: IO[bytes], payload: bytes) -> None:
    stream.write(_LENGTH.pack(len(payload)) + payload)
    stream.flush()


def _receive(stream: IO[bytes]) -> bytes:
    """One frame; EOFError when the other side has closed its end."""
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        raise EOFError("the other side closed the pipe")
    payload = stream.read(_LENGTH.unpack(head)[0])
    if len(payload) < _LENGTH.unpack(head)[0]:
        raise EOFError("the other side closed the pipe mid-frame")
    return payload


class MetricWriterProcess:
    """The server's side of the child: ``write(rows)`` returns once the rows are committed."""

    def __init__(self, database_url: str, *, nice: int = WRITER_NICE) -> None:
        self.database_url = database_url
        self.nice = nice
        self._child: subprocess.Popen | None = None
        self._lock = threading.Lock()  # one batch in flight: answers match their batches
        self._in_thread: Any = None  # the engine of the fallback, once the child cannot start

    def write(self, rows: list[dict[str, Any]]) -> None:
        """Commit ``rows`` through the child (restarted once if it has died), or in this thread
        where no child can start. Raises ``MetricWriteError`` or the database's error; either
        way nothing of ``rows`` was committed."""
        batch = pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL)
        with self._lock:
            for attempt in (1, 2):
                child = self._running()
                if child is None:
                    self._write_here(rows)
                    return
                try:
                    _send(child.stdin, batch)
                    outcome, detail = pickle.loads(_receive(child.stdout))
                except (OSError, EOFError, pickle.UnpicklingError) as exc:
                    self._stop_child()
                    if attempt == 2:
                        raise MetricWriteError(f"the metric writer stopped: {exc}") from exc
                    log.warning("the metric writer stopped (%s); starting another", exc)
                    continue
                if outcome != "ok":
                    raise MetricWriteError(detail)
                return

    def start(self) -> None:
        """Start the child ahead of the first batch, so no flush under load waits for it."""
        with self._lock:
            self._running()

    def close(self) -> None:
        """Let the child finish and exit (it stops at the end of its stdin)."""
        with self._lock:
            self._stop_child()
            if self._in_thread is not None:
                self._in_thread.dispose()

    def _running(self) -> subprocess.Popen | None:
        if self._in_thread is not None:
            return None
        if self._child is not None and self._child.poll() is None:
            return self._child
        try:
            child = subprocess.Popen(
                [sys.executable, "-m", __name__, str(self.nice)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                close_fds=True,
                env=_child_environment(),
            )
            _send(child.stdin, self.database_url.encode())
            outcome, detail = pickle.loads(_receive(child.stdout))
            if outcome != "ready":
                raise MetricWriteError(detail)
        except (OSError, EOFError, MetricWriteError) as exc:
            log.warning("no metric writer process (%s); writing metrics in the server", exc)
            self._in_thread = db.make_engine(self.database_url)
            return None
        self._child = child
        return child

    def _write_here(self, rows: list[dict[str, Any]]) -> None:
        with self._in_thread.begin() as connection:
            write_metric_rows(connection, rows)

    def _stop_child(self) -> None:
        child, self._child = self._child, None
        if child is None:
            return
        with contextlib.suppress(OSError):
            child.stdin.close()
        try:
            child.wait(STOP_WAIT_S)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        child.stdout.close()


def _child_environment() -> dict[str, str]:
    """The server's environment (the child is server code, with its database credentials),
    with this package importable however the server found it."""
    root = str(Path(__file__).resolve().parents[3])
    path = os.environ.get("PYTHONPATH")
    return os.environ | {"PYTHONPATH": root if not path else f"{root}{os.pathsep}{path}"}


def _failure(exc: Exception) -> tuple[str, str]:
    """An error answer short enough for a log line: SQLAlchemy's message carries the whole
    statement and its parameters, hundreds of rows of them."""
    return ("error", f"{type(exc).__name__}: {str(exc).splitlines()[0][:ERROR_CHARS]}")


def serve(nice: int) -> None:
    """The child: write each batch from stdin in one transaction and answer on stdout, until
    stdin ends. It ignores SIGINT and SIGTERM sent to the server's process group, so the
    server's last flush on shutdown still has it; it ends when the server closes the pipe."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    requests, answers = sys.stdin.buffer, os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a stray print cannot corrupt answers
    os.nice(nice)
    try:
        engine = db.make_engine(_receive(requests).decode())
        with engine.connect():
            pass
    except Exception as exc:
        _send(answers, pickle.dumps(_failure(exc)))
        return
    _send(answers, pickle.dumps(("ready", None)))
    while True:
        try:
            rows = pickle.loads(_receive(requests))
        except EOFError:
            break
        try:
            with engine.begin() as connection:
                write_metric_rows(connection, rows)
            answer: tuple[str, Any] = ("ok", len(rows))
        except Exception as exc:
            answer = _failure(exc)
        _send(answers, pickle.dumps(answer))
    engine.dispose()


if __name__ == "__main__":
    serve(int(sys.argv[1]))
