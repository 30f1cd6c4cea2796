"""One model replica: a small HTTP server around one model function, one process per replica.

Run as ``python -m workspace.replica.server --build-dir D --port P --file-path F
--function-name FN`` (file build) or ``--model-uri URI`` (registry build); every flag can also
come from ``LAB_REPLICA_*`` variables; the secret comes only from ``LAB_REPLICA_SECRET``, and the
replica listens on 127.0.0.1 whatever it is told. Routes:

- ``GET /ready``: 200 once the model is loaded *and warmed* ("can answer now"), 503 before.
- ``POST /predict`` with ``{"request": <json>}`` and the deployment's secret in the
  ``X-Lab-Replica-Secret`` header (403 without it): 200 ``{"response", "uuid", "metrics"}``;
  400 ``{"message"}`` for input the model refuses; 500 ``{"message"}`` when the model fails,
  after which the replica keeps serving.

Why a bare ASGI app on uvicorn and one worker thread: the model is CPU-bound and holds the GIL,
so more threads would only queue behind it; the event loop stays free to answer ``/ready`` and to
read the next request while the worker computes, and per-request overhead stays tiny.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import hmac
import json
import logging
import os
import signal
import sys
import threading
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import uvicorn

from workspace.replica import REPLICA_SECRET_HEADER
from workspace.replica.entry_point import ModelFunction, load_entry_point, to_json
from workspace.replica.model_errors import CLIENT_ERRORS
from workspace.replica.prediction import prediction_context

log = logging.getLogger("workspace.replica")
_JSON = [(b"content-type", b"application/json")]
_SECRET_HEADER = REPLICA_SECRET_HEADER.lower().encode()
HOST = "127.0.0.1"
"""Replicas listen on loopback only; no flag or variable changes it (the router is local)."""


class ReplicaApp:
    """ASGI app serving one model function; ``model`` is set once it is loaded and warmed.
    ``/predict`` answers only requests carrying ``secret`` in ``REPLICA_SECRET_HEADER``."""

    def __init__(self, replica_id: str, secret: str) -> None:
        self.model: ModelFunction | None = None
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="model")
        self.headers = [*_JSON, (b"x-replica-id", replica_id.encode())]
        self.secret = secret.encode()

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        path, method = scope["path"], scope["method"]
        if path == "/predict" and method == "POST" and not self._authorised(scope):
            status, body = 403, _message(f"{REPLICA_SECRET_HEADER} is missing or wrong")
        elif path == "/predict" and method == "POST":
            status, body = await self.predict(await _read_body(receive))
        elif path == "/ready" and method == "GET":
            ready = self.model is not None
            status, body = (200, b'{"ready":true}') if ready else (503, b'{"ready":false}')
        else:
            status, body = 404, b'{"message":"not found"}'
        headers = [*self.headers, (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _authorised(self, scope: dict) -> bool:
        sent = dict(scope.get("headers", ())).get(_SECRET_HEADER, b"")
        return hmac.compare_digest(sent, self.secret)

    async def predict(self, raw: bytes) -> tuple[int, bytes]:
        try:
            payload = json.loads(raw)
        except ValueError as exc:
            return 400, _message(f"body is not JSON: {exc}")
        if not isinstance(payload, dict) or "request" not in payload:
            return 400, _message('body must be {"request": ...}')
        if self.model is None:
            return 503, _message("model.loading: the replica is still loading its model")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.worker, self._call, payload["request"])

    def _call(self, request: Any) -> tuple[int, bytes]:
        """Run the model in the worker thread; serialising here keeps the event loop free."""
        assert self.model is not None
        try:
            with prediction_context() as ctx:
                result = self.model(request)
            answer = {"response": result, "uuid": ctx.uuid, "metrics": ctx.metrics}
            return 200, to_json(answer).encode()
        except CLIENT_ERRORS as exc:
            return 400, _message(_describe(exc))
        except Exception as exc:
            log.error("model failed:\n%s", traceback.format_exc())
            return 500, _message(_describe(exc))

    def load(self, args: argparse.Namespace) -> None:
        """Load and warm the model in the worker thread, where every later call will run."""
        model = self.worker.submit(
            load_entry_point,
            Path(args.build_dir),
            file_path=args.file_path,
            function_name=args.function_name,
            model_uri=args.model_uri,
        )
        loaded = model.result()
        # A full collection of a loaded model's heap (MLflow, pandas, XGBoost: ~230k objects)
        # stopped every request for 0.1-0.4 s; frozen, collections see only what requests make.
        gc.collect()
        gc.freeze()
        self.model = loaded


async def _lifespan(receive: Any, send: Any) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _read_body(receive: Any) -> bytes:
    message = await receive()
    body = message.get("body", b"")
    if not message.get("more_body"):
        return body
    chunks = [body]
    while message.get("more_body"):
        message = await receive()
        chunks.append(message.get("body", b""))
    return b"".join(chunks)


def _message(text: str) -> bytes:
    return json.dumps({"message": text}).encode()


def _describe(exc: BaseException) -> str:
    text = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _pin_cpus() -> None:
    """Hold this process to its CPU share before any thread exists, so every thread inherits it."""
    cpus = os.environ.get("LAB_REPLICA_CPUS")
    if cpus and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {int(cpu) for cpu in cpus.split(",")})


def _die_with_server() -> None:
    """End this replica, and everything it started, when the server that started it ends.

    Why a pipe and not PR_SET_PDEATHSIG: the kernel sends that signal when the parent *thread*
    exits, so replicas died with whichever server thread spawned them. The server holds the only
    write end of the pipe whose read end we inherit; end-of-file comes when the server process is
    gone, however it went, including before this check started."""
    fd = os.environ.pop("LAB_REPLICA_LIFELINE_FD", None)
    if fd is None:
        return
    lifeline = int(fd)
    os.set_inheritable(lifeline, False)  # the model's own children do not keep it open

    def wait() -> None:
        while os.read(lifeline, 1):
            pass
        os.killpg(os.getpgrp(), signal.SIGKILL)

    threading.Thread(target=wait, name="lifeline", daemon=True).start()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    env = os.environ.get
    parser = argparse.ArgumentParser(description="Serve one model replica over HTTP.")
    parser.add_argument("--build-dir", default=env("LAB_REPLICA_BUILD_DIR", "."))
    parser.add_argument("--port", type=int, default=int(env("LAB_REPLICA_PORT", "0")))
    parser.add_argument("--file-path", default=env("LAB_REPLICA_FILE_PATH"))
    parser.add_argument("--function-name", default=env("LAB_REPLICA_FUNCTION_NAME"))
    parser.add_argument("--model-uri", default=env("LAB_REPLICA_MODEL_URI"))
    parser.add_argument("--replica-id", default=env("LAB_REPLICA_ID", "replica"))
    args = parser.parse_args(argv)
    if not args.model_uri and not (args.file_path and args.function_name):
        parser.error("give --model-uri, or --file-path with --function-name")
    args.secret = os.environ.pop("LAB_REPLICA_SECRET", "")  # kept from the model's os.environ
    if not args.secret:
        parser.error("LAB_REPLICA_SECRET is not set: a replica answers only its router")
    return args


async def serve(args: argparse.Namespace) -> int:
    """Answer HTTP at once (``/ready`` says 503) while the model loads; exit 3 if it cannot."""
    app = ReplicaApp(args.replica_id, args.secret)
    config = uvicorn.Config(
        app,
        host=HOST,
        port=args.port,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=2,
        backlog=1024,
        server_header=False,
        date_header=False,
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    try:
        await asyncio.get_running_loop().run_in_executor(None, app.load, args)
    except BaseException:
        log.error("cannot load the model:\n%s", traceback.format_exc())
        server.should_exit = True
        await serving
        return 3
    log.warning("replica %s ready on %s:%s", args.replica_id, HOST, args.port)
    await serving
    return 0 if server.started else 1


def main(argv: list[str] | None = None) -> None:
    _pin_cpus()  # before any thread, the lifeline's included
    _die_with_server()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    args = parse_args(argv)
    run: Any = asyncio.run
    try:  # uvloop, where installed, roughly halves the event loop's cost per request
        import uvloop

        run = uvloop.run
    except ImportError:
        pass
    sys.exit(run(serve(args)))


if __name__ == "__main__":
    main()
