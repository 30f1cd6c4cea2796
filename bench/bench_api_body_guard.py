"""What an oversize or hostile body costs the API: refusals before the body is read.

Starts a real workspace server on a free loopback port with a throw-away LAB_HOME and times, as
medians over ``--rounds``: a keyless 64 MB body announced and never sent (401 without reading
it), the same with a valid key (413), a keyless 64 MB body sent in full (401), and a 1 MB body
nested 500,000 deep (400); each against a small keyed ``GET /api/v2/projects`` of the same run.

    python bench/bench_api_body_guard.py --rounds 10
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import requests

MB = 1024 * 1024


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(home: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAB_")}
    env.update(LAB_HOME=str(home), LAB_PORT=str(port), MLFLOW_TRACKING_URI=f"sqlite:///{home}/m.db")
    log = (home / "server.log").open("ab")
    proc = subprocess.Popen(
        [sys.executable, "-m", "workspace.server"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/api/v2/health", timeout=1).ok:
                return proc, port
        except requests.ConnectionError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the workspace server did not answer within 60 s")


def announce(port: int, length: int, key: str | None) -> int:
    """Headers announcing ``length`` bytes, no body: the status of the answer."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.putrequest("POST", "/api/v2/projects")
    conn.putheader("Content-Length", str(length))
    if key:
        conn.putheader("Authorization", f"Bearer {key}")
    conn.endheaders()
    status = conn.getresponse().status
    conn.close()
    return status


def timed(call: Callable[[], int], rounds: int) -> tuple[int, float]:
    statuses, times = set(), []
    for _ in range(rounds):
        start = time.perf_counter()
        statuses.add(call())
        times.append(time.perf_counter() - start)
    return statuses.pop() if len(statuses) == 1 else -1, statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10, help="Requests per case.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-guard-") as tmp:
        home = Path(tmp)
        proc, port = start_server(home)
        url = f"http://127.0.0.1:{port}/api/v2/projects"
        try:
            key = json.loads((home / "credentials.json").read_text())["api_key"]
            auth = {"Authorization": f"Bearer {key}"}
            full = b'{"name": "' + b"x" * (64 * MB) + b'"}'
            deep = b'{"name": "d", "environment": ' + b"[" * 500_000 + b"]" * 500_000 + b"}"
            cases = {
                "keyed GET /projects (baseline)": lambda: (
                    requests.get(url, headers=auth).status_code
                ),
                "64 MB announced, no key": lambda: announce(port, 64 * MB, None),
                "64 MB announced, valid key": lambda: announce(port, 64 * MB, key),
                "64 MB sent in full, no key": lambda: requests.post(url, data=full).status_code,
                "1 MB nested 500k deep, key": lambda: (
                    requests.post(url, data=deep, headers=auth).status_code
                ),
            }
            results = {name: timed(call, args.rounds) for name, call in cases.items()}
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
    base = results["keyed GET /projects (baseline)"][1]
    print(f"API body guard, {args.rounds} requests per case (median)")
    for name, (status, ms) in results.items():
        print(f"  {name:<32} {status:>4}  {ms:8.1f} ms  {ms / base:6.1f}x baseline")


if __name__ == "__main__":
    main()
