"""The reliability harness's short version: every goal it prints holds on a fresh workspace.

Why run the bench script itself: the harness is the proof of issue-level promises (no 5xx from
any route for any identity, the replica survives any body, a restart under load loses nothing),
so CI runs exactly what a maintainer runs, only smaller.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_reliability.py"


def test_the_quick_harness_meets_every_goal(tmp_path: Path):
    figures_file = tmp_path / "figures.json"
    done = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--json", str(figures_file)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert figures_file.exists(), done.stderr[-3000:]
    figures = json.loads(figures_file.read_text())
    missed = [goal for goal, met in figures["goals"].items() if not met]
    assert not missed, f"{missed}\n{done.stdout[-3000:]}"
    assert done.returncode == 0
    assert figures["api"]["tried"] >= 400
    assert figures["api"]["operations"] >= 40
    assert figures["restart"]["answered"] >= 100
