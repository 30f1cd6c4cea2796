"""Serving-process cold start: a fresh Python process imports a prd entry point, warms it up
(reads the pinned Iceberg snapshot, builds the index) and answers its first request.

The fleet is written once by Spark into a throw-away LAB_HOME; every timed process is new.
The baseline printed beside it is the same process answering with ``stumpy.match`` (numba JIT);
MultiDimMotif is set against a process that only imports STUMPY, the floor of any STUMPY model.

    python bench/bench_cold_start.py [--devices 50 --days 2 --runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUERY = (
    "import importlib.util, json\n"
    "spec = importlib.util.spec_from_file_location('m', 'prd/ts_query_serve.py')\n"
    "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m); m.warmup()\n"
    "print(json.dumps(m.predict({'pattern': [54, 53, 52, 51]})['nearest_neighbor']))\n"
)
STUMPY_QUERY = (
    "import json, numpy as np\n"
    "from logistics.timeseries.numba_cache import enable_stumpy_cache\n"
    "enable_stumpy_cache(); import stumpy\n"
    "from logistics.timeseries.series import load_fleet_series\n"
    "f = load_fleet_series(signals=('iot_signal_3',))\n"
    "best = min((float(d), dev, int(i)) for dev in f.device_ids for d, i in stumpy.match("
    "np.array([54., 53, 52, 51]), f.device_series(dev, 'iot_signal_3'), max_matches=1))\n"
    "print(json.dumps(best[2]))\n"
)
MULTI = (
    "import importlib.util, json, numpy as np\n"
    "spec = importlib.util.spec_from_file_location('m', 'prd/ts_multidim_serve.py')\n"
    "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m); m.warmup()\n"
    "r = np.random.default_rng(1)\n"
    "print(json.dumps(m.multi_dim_motif({f'iot_signal_{i}': r.normal(size=200).tolist() "
    "for i in range(1, 5)})['m']))\n"
)

PLAIN_STUMPY = "import stumpy\nprint(0)\n"


def cold(code: str, env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)  # fmt: skip
    if done.returncode:
        raise SystemExit(f"error: serving process failed: {done.stderr.strip().splitlines()[-1]}")
    json.loads(done.stdout.strip().splitlines()[-1])
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=50)
    parser.add_argument("--days", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="lab-bench-")
    env = {**os.environ, "LAB_HOME": home, "NUMBA_CACHE_DIR": str(Path(home, "numba-cache"))}
    print(f"writing {args.devices} devices x {args.days} days with Spark ...", flush=True)
    datagen = ["dev/00_datagen.py", "--devices", str(args.devices), "--days", str(args.days)]
    subprocess.run([sys.executable, *datagen], cwd=ROOT, env=env, check=True, capture_output=True)
    query = [cold(QUERY, env) for _ in range(args.runs)]
    first_stumpy = cold(STUMPY_QUERY, env)  # compiles numba kernels, fills the disk cache
    cached_stumpy = cold(STUMPY_QUERY, env)
    multi_first = cold(MULTI, env)
    multi = [cold(MULTI, env) for _ in range(args.runs)]
    plain = [cold(PLAIN_STUMPY, env) for _ in range(args.runs)]
    ours = statistics.median(query)
    print(f"TimeSeriesQuery cold start to first answer: median {ours:.2f} s, runs "
          f"{', '.join(f'{q:.2f}' for q in query)} (goal <= 3 s)")  # fmt: skip
    print(f"stumpy.match process, first ever (numba compiles): {first_stumpy:.2f} s "
          f"({first_stumpy / ours:.1f}x ours)")  # fmt: skip
    print(f"stumpy.match process, numba disk cache warm: {cached_stumpy:.2f} s "
          f"({cached_stumpy / ours:.1f}x ours)")  # fmt: skip
    print(f"MultiDimMotif cold start: first ever {multi_first:.2f} s, with numba disk cache "
          f"median {statistics.median(multi):.2f} s, runs {', '.join(f'{t:.2f}' for t in multi)} "
          f"(goal <= 3 s)")  # fmt: skip
    only_import, multi_s = statistics.median(plain), statistics.median(multi)
    print(f"a process that only runs a plain `import stumpy`: median {only_import:.2f} s "
          f"(MultiDimMotif answers in {multi_s / only_import:.2f}x that)")  # fmt: skip


if __name__ == "__main__":
    main()
