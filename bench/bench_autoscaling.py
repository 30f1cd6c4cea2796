"""Autoscaling under a synthetic ramp: a real deployment with a p95 policy, load ×4 in 10 s.

    python bench/bench_autoscaling.py                 # ~2 minutes
    python bench/bench_autoscaling.py --json out.json # the figures as JSON too

A throw-away workspace server (its own LAB_HOME and port) deploys a model that takes 50 ms a
request (a sleep, so a replica's capacity does not depend on how busy this machine's cores are)
with ``{"type": "autoscaling", "min_replicas": 1, "max_replicas": 4, "target_p95_ms": 250}``.
Open-loop load (``workspace.load``) runs at the start rate, ramps to 4× in 10 s, holds, and falls
back to the start rate; the replica count is polled throughout. Rows: seconds until replicas
rise (desired and ready), p95 before, during and after the rise against the target (the
start-rate p95 of the same run is the baseline), seconds until they fall once the load is back
(against the cool-down), failed requests (goal 0). Exit status 1 when a request failed or the
replicas neither rose nor fell.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from reliability.lab import LabServer
from workspace.load import LoadPlan
from workspace.load.background import BackgroundLoad

MODEL = '''"""Takes 50 ms a request, as a model doing I/O or a fixed amount of work would."""
import time


def predict(args):
    time.sleep(0.05)
    return {"ok": True}
'''
POLICY = {"type": "autoscaling", "min_replicas": 1, "max_replicas": 4, "target_p95_ms": 250}
SETTINGS = {
    "LAB_AUTOSCALE_INTERVAL_S": "1",
    "LAB_AUTOSCALE_WINDOW_S": "5",
    "LAB_AUTOSCALE_COOLDOWN_S": "15",
}


class AutoscalingLab(LabServer):
    def env(self) -> dict[str, str]:
        return {**super().env(), **SETTINGS}


@dataclass(frozen=True)
class Phases:
    """Seconds since the load started at which each phase begins."""

    warm_s: float
    ramp_s: float
    hold_s: float
    after_s: float
    start_rate: float

    @property
    def ramp_at(self) -> float:
        return self.warm_s

    @property
    def hold_at(self) -> float:
        return self.warm_s + self.ramp_s

    @property
    def back_at(self) -> float:
        return self.hold_at + self.hold_s

    @property
    def end(self) -> float:
        return self.back_at + self.after_s

    def rate(self, t: float) -> float:
        """Start rate, a linear ramp to 4×, a hold, and the start rate again."""
        if t < self.ramp_at or t >= self.back_at:
            return self.start_rate
        if t < self.hold_at:
            return self.start_rate * (1 + 3 * (t - self.ramp_at) / self.ramp_s)
        return self.start_rate * 4


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--start-rate", type=float, default=6.0, help="requests/s before the ramp")
    parser.add_argument("--hold-s", type=float, default=30.0, help="seconds at 4× the start rate")
    parser.add_argument("--after-s", type=float, default=45.0, help="seconds back at the start")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    phases = Phases(10.0, 10.0, args.hold_s, args.after_s, args.start_rate)
    with tempfile.TemporaryDirectory(prefix="lab-autoscaling-") as tmp:
        server = AutoscalingLab(Path(tmp) / "home")
        server.home.mkdir()
        try:
            server.start()
            figures = run(server, phases)
        finally:
            server.stop()
    print_table(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
        print(f"figures written to {args.json}")
    ok = figures["failed"] == 0 and figures["rise_s"] is not None
    return 0 if ok and figures["fall_after_back_s"] is not None else 1


def run(server: AutoscalingLab, phases: Phases) -> dict:
    admin = server.client()
    files = server.home.parent / "project"
    files.mkdir()
    (files / "slow.py").write_text(MODEL)
    project = admin.create_project(name="autoscaling", template="local", local_path=str(files))
    model = admin.create_model(
        project_id=project.id, name="ramp", default_replication_policy=POLICY
    )
    ids = {"project_id": project.id, "model_id": model.id}
    build = admin.create_model_build(**ids, file_path="slow.py", function_name="predict")
    admin.wait_for_build(**ids, build_id=build.id, timeout=120)
    dep = admin.create_model_deployment(**ids, build_id=build.id, cpu=0.5, memory=0.5)
    dep = admin.wait_for_deployment(**ids, build_id=build.id, deployment_id=dep.id, timeout=120)
    ids = {**ids, "build_id": build.id, "deployment_id": dep.id}
    plan = LoadPlan(
        url=f"{server.url}/model",
        access_key=model.access_key,
        payloads=[{"x": 1}],
        rate_profile=phases.rate,
        duration_s=phases.end,
        timeout_s=30,
    )
    samples: list[tuple[float, int, int]] = []
    print(f"... {phases.end:.0f} s of load on a {POLICY} deployment", file=sys.stderr)
    with BackgroundLoad(plan) as load:
        started = time.time()
        _watch(admin, ids, started, phases, samples)
    records = load.result.records
    events = admin.list_deployment_events(**ids, kind="autoscaling").events
    return _figures(records, samples, started, phases, [e.message for e in events])


def _watch(admin, ids: dict, started: float, phases: Phases, samples: list) -> None:
    """Poll the desired count and the ready replicas every 0.25 s until the load ends."""
    while (now := time.time()) - started < phases.end:
        desired = admin.get_model_deployment(**ids).replicas
        ready = sum(r.state == "ready" for r in admin.list_model_replicas(**ids).replicas)
        samples.append((now - started, desired, ready))
        time.sleep(0.25)


def _p95(records: list, started: float, since: float, until: float) -> float | None:
    chosen = [
        r.latency_ms
        for r in records
        if r.error is None and since <= r.start_ms / 1000 - started < until
    ]
    return float(np.percentile(chosen, 95)) if len(chosen) >= 5 else None


def _figures(records, samples, started, phases: Phases, decisions: list[str]) -> dict:
    first = lambda rows: rows[0][0] if rows else None  # noqa: E731
    base = samples[0][1] if samples else 1
    rose = [s for s in samples if s[0] >= phases.ramp_at and s[1] > base]
    ready_rose = [s for s in samples if s[0] >= phases.ramp_at and s[2] > base]
    peak = max((s[1] for s in samples), default=base)
    peak_ready_at = first([s for s in samples if s[2] == peak and s[0] >= phases.ramp_at])
    fell = [s for s in samples if s[0] >= phases.back_at and s[1] < peak]
    rise_ready_at = first(ready_rose)
    settled = peak_ready_at if peak_ready_at is not None else phases.back_at
    return {
        "policy": POLICY,
        "settings": SETTINGS,
        "start_rate": phases.start_rate,
        "requests": len(records),
        "failed": sum(r.error is not None for r in records),
        "start_replicas": base,
        "peak_replicas": peak,
        "rise_s": None if not rose else rose[0][0] - phases.ramp_at,
        "ready_rise_s": None if rise_ready_at is None else rise_ready_at - phases.ramp_at,
        "peak_ready_s": None if peak_ready_at is None else peak_ready_at - phases.ramp_at,
        "p95_before_ms": _p95(records, started, 2.0, phases.ramp_at),
        "p95_during_rise_ms": _p95(records, started, phases.ramp_at, settled),
        "p95_after_rise_ms": _p95(records, started, settled, phases.back_at),
        "fall_after_back_s": None if not fell else fell[0][0] - phases.back_at,
        "end_replicas": samples[-1][1] if samples else None,
        "decisions": decisions,
    }


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} ms"


def _s(value: float | None) -> str:
    return "never" if value is None else f"{value:.1f} s"


def print_table(f: dict) -> None:
    target, base = f["policy"]["target_p95_ms"], f["p95_before_ms"]

    def against(value: float | None) -> str:
        if value is None:
            return "-"
        ratio = f", {value / base:.2f}× start-rate p95" if base else ""
        return f"{value / target:.2f}× target{ratio}"

    cooldown = float(f["settings"]["LAB_AUTOSCALE_COOLDOWN_S"])
    rows = [
        ("requests (ramp ×4 in 10 s, hold, back)", f"{f['requests']}", f"{f['failed']} failed"),
        ("replicas", f"{f['start_replicas']} -> {f['peak_replicas']} -> {f['end_replicas']}",
         f"policy {f['policy']['min_replicas']}..{f['policy']['max_replicas']}"),
        ("until replicas rise (desired)", _s(f["rise_s"]), "after the ramp starts"),
        ("until a new replica is ready", _s(f["ready_rise_s"]), "after the ramp starts"),
        ("until all are ready", _s(f["peak_ready_s"]), "after the ramp starts"),
        ("p95 at the start rate", _ms(base), against(base)),
        ("p95 during the rise", _ms(f["p95_during_rise_ms"]), against(f["p95_during_rise_ms"])),
        ("p95 after the rise", _ms(f["p95_after_rise_ms"]), against(f["p95_after_rise_ms"])),
        ("until replicas fall", _s(f["fall_after_back_s"]),
         f"after the load is back; cool-down {cooldown:g} s"),
    ]  # fmt: skip
    width = max(len(r[0]) for r in rows)
    print(f"\n{'figure':<{width}}  {'value':<14}  against")
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:<14}  {note}")
    print(f"target p95 {target:g} ms; decisions:")
    for line in f["decisions"]:
        print(f"  {line}")


if __name__ == "__main__":
    raise SystemExit(main())
