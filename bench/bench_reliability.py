"""Reliability harness: fuzzed API and model requests, a restart and a replica kill under load, a
soak — against a real workspace server on loopback, printed as one table.

    python bench/bench_reliability.py            # the full harness, ~15 minutes on 2 cores
    python bench/bench_reliability.py --quick    # the short version CI runs, ~2 minutes
    python bench/bench_reliability.py --json out.json   # the table's figures as JSON too

Rows: schemathesis over every route of our OpenAPI document as admin, viewer, outsider and with no
key (goal: 0 responses >= 500, every 4xx with a message); hypothesis bodies on ``POST /model``
(0 5xx, the replica keeps answering); the server restarted during fixed-rate load (every
deployment answers again within 15 s, no prediction record lost); kill -9 of one of two replicas
under 16 concurrent requests; a fixed-rate soak (server memory at start and end). Exit status 1
when a goal is missed.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from reliability.api_fuzz import fuzz_api
from reliability.faults import kill_replica_under_load, restart_under_load
from reliability.hostile import send_hostile
from reliability.lab import LabServer, prepare
from reliability.model_fuzz import fuzz_model
from reliability.soak import soak

FULL = {"api": 4000, "model": 500, "restart_s": 30, "kill_s": 15, "soak_s": 600}
QUICK = {"api": 500, "model": 120, "restart_s": 12, "kill_s": 8, "soak_s": 0}
RECOVERY_GOAL_S = 15.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the short version CI runs")
    parser.add_argument("--soak-s", type=float, help="soak length in seconds (0: no soak)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    sizes = dict(QUICK if args.quick else FULL)
    if args.soak_s is not None:
        sizes["soak_s"] = args.soak_s
    with tempfile.TemporaryDirectory(prefix="lab-reliability-") as tmp:
        server = LabServer(Path(tmp) / "home")
        server.home.mkdir()
        try:
            server.start()
            figures = run(server, sizes)
            if not figures["goals_met"]:  # the tracebacks behind a 5xx, before the folder goes
                log = server.home.parent / "server.log"
                figures["server_log_tail"] = log.read_text(errors="replace").splitlines()[-80:]
        finally:
            server.stop()
    print_table(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str))
        print(f"figures written to {args.json}")
    return 0 if figures["goals_met"] else 1


def run(server: LabServer, sizes: dict) -> dict:
    lab = prepare(server)
    step = lambda name: print(f"... {name}", file=sys.stderr, flush=True)  # noqa: E731
    step(f"{sizes['model']} generated bodies on POST /model")
    model = fuzz_model(lab, sizes["model"])
    step(f"kill -9 of a replica during {sizes['kill_s']} s at 16 concurrent")
    kill = kill_replica_under_load(lab, sizes["kill_s"])
    step(f"server restart during {sizes['restart_s']} s of fixed-rate load")
    restart = restart_under_load(lab, sizes["restart_s"])
    soaked = None
    if sizes["soak_s"]:
        step(f"{sizes['soak_s']:.0f} s fixed-rate soak")
        soaked = soak(lab, sizes["soak_s"])
    step(f"about {sizes['api']} schemathesis requests as admin, viewer, outsider, no key")
    started = time.monotonic()
    api = fuzz_api(lab, sizes["api"])
    send_hostile(lab, api)
    api_s = time.monotonic() - started
    goals = {
        "api: 0 responses >= 500": not api.server_errors,
        "api: every 4xx with a message": not api.silent_refusals,
        "model: 0 responses >= 500": not model.server_errors,
        "model: the replica kept answering": model.lost_answers == 0,
        f"restart: serving again within {RECOVERY_GOAL_S:.0f} s": restart.recovery_s
        <= RECOVERY_GOAL_S,
        "restart: no record lost": restart.records_lost == 0
        and restart.rows_before == restart.rows_after,
        "kill -9: both replicas ready again": kill.replicas_ready_after >= 2,
    }
    if soaked:
        goals["soak: 0 errors"] = soaked.errors == 0
    return {
        "api": {**asdict(api), "by_status": dict(api.by_status), "seconds": api_s},
        "model": asdict(model),
        "restart": asdict(restart),
        "kill": asdict(kill),
        "soak": asdict(soaked) if soaked else None,
        "goals": goals,
        "goals_met": all(goals.values()),
    }


def print_table(f: dict) -> None:
    api, model, restart, kill, soaked = f["api"], f["model"], f["restart"], f["kill"], f["soak"]
    rows = [
        ("schemathesis + hostile cases, 4 identities",
         f"{api['tried']} requests, {api['operations']} operations",
         f"{len(api['server_errors'])} >= 500, "
         f"{len(api['silent_refusals'])} 4xx without a message"),
        ("hypothesis bodies, POST /model", f"{model['tried']} requests",
         f"{len(model['server_errors'])} >= 500, {model['lost_answers']} missed probes"),
        ("restart under fixed-rate load", f"{restart['requests']} requests",
         f"serving again in {restart['recovery_s']:.1f} s, {restart['records_lost']} records lost"),
        ("kill -9 of 1 of 2 replicas, 16 concurrent", f"{kill['requests']} requests",
         f"{kill['failed']} failed, {kill['replicas_ready_after']} replicas ready after"),
    ]  # fmt: skip
    if soaked:
        rss = soaked["rss_mb"]
        rows.append((
            f"soak, {soaked['duration_s']:.0f} s fixed rate", f"{soaked['requests']} requests",
            f"{soaked['errors']} errors, server memory {rss[0]:.0f} -> {rss[-1]:.0f} MB, "
            f"p99 {soaked['p99_ms']:.0f} ms",
        ))  # fmt: skip
    width = max(len(r[0]) for r in rows)
    print(f"\n{'check':<{width}}  {'tried':<28}  result")
    for name, tried, result in rows:
        print(f"{name:<{width}}  {tried:<28}  {result}")
    for goal, met in f["goals"].items():
        print(f"{'ok  ' if met else 'MISS'} {goal}")
    for line in (api["server_errors"] + model["server_errors"])[:20]:
        print(f"  5xx: {line}")
    for line in api["silent_refusals"][:10]:
        print(f"  4xx without a message: {line}")
    if soaked and soaked["errors_by_type"]:
        print(f"  soak errors: {soaked['errors_by_type']}")


if __name__ == "__main__":
    raise SystemExit(main())
