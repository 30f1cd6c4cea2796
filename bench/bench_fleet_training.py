"""Fleet training: Spark local[2] (applyInPandas per device) vs a serial Python loop over devices.

Both run the same ``device_findings`` on the same telemetry snapshot with numba's kernels already
compiled (disk cache), each task on one numba thread; the answers are compared before timing is
reported. The Spark time includes planning (device sizes, task placement). The two alternate and
the best of each counts, since this machine's speed drifts. Two more baselines: the serial loop
with numba's threads on every core, and the ceiling any two-process scheme reaches here: the fleet
split in halves of equal work, each half looped in its own plain Python process at the same time.

    python bench/bench_fleet_training.py [--devices 24 --days 2 --repeats 3]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path


def _loop(frame, params) -> float:
    """One plain process's share of the two-process ceiling: the serial loop on its devices."""
    from logistics.timeseries.device_models import serial_findings

    started = time.perf_counter()
    serial_findings(frame, params)
    return time.perf_counter() - started


def _halves(telemetry) -> list:
    """Devices dealt alternately (they are of equal length), so each half is the same work."""
    devices = sorted(telemetry.device_id.unique())
    return [telemetry[telemetry.device_id.isin(devices[i::2])] for i in (0, 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=24)
    parser.add_argument("--days", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="lab-bench-")
    os.environ.update(LAB_HOME=home, SPARK_MASTER="local[2]")
    os.environ.setdefault("NUMBA_CACHE_DIR", str(Path(home, "numba-cache")))

    from logistics.datagen import WriteMode, write_fleet
    from logistics.fleet import FleetSpec
    from logistics.lakehouse import read_arrow, spark_session
    from logistics.timeseries.device_models import TrainingParams, device_findings, serial_findings
    from logistics.timeseries.fleet_training import findings, telemetry_at

    spark = spark_session("bench-fleet-training")
    result = write_fleet(spark, FleetSpec(args.devices, args.days, seed=7), WriteMode.REPLACE)
    params = TrainingParams()
    telemetry = read_arrow("fleet_telemetry", snapshot_id=result.snapshot_id).to_pandas()
    first = telemetry[telemetry.device_id == telemetry.device_id.min()]
    device_findings(first, params)  # compile once; every later process loads the disk cache

    telemetry_df = telemetry_at(spark, result.snapshot_id)
    findings(telemetry_df, params).count()  # start the Python workers, load their kernels
    # Alternate the two, best of each: this machine's speed drifts by 10-20% over a minute.
    spark_runs, serial_runs, pair_runs = [], [], []
    pool = ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn"))
    halves = _halves(telemetry)
    list(pool.map(_loop, [h[h.device_id == h.device_id.min()] for h in halves], [params] * 2))
    for _ in range(args.repeats):
        started = time.perf_counter()
        on_spark = findings(telemetry_df, params).toPandas()  # placement planning included
        spark_runs.append(time.perf_counter() - started)
        started = time.perf_counter()
        serial = serial_findings(telemetry, params)
        serial_runs.append(time.perf_counter() - started)
        started = time.perf_counter()
        list(pool.map(_loop, halves, [params] * 2))
        pair_runs.append(time.perf_counter() - started)
    pool.shutdown()
    spark_s, serial_s, pair_s = min(spark_runs), min(serial_runs), min(pair_runs)
    started = time.perf_counter()
    serial_findings(telemetry, replace(params, numba_threads=os.cpu_count() or 1))
    threaded_s = time.perf_counter() - started

    key = ["device_id", "kind", "signal", "rank"]
    same = (
        on_spark.sort_values(key)["window_index"].tolist()
        == serial.sort_values(key)["window_index"].tolist()
    )
    print(f"{args.devices} devices x {args.days} days, motif m={params.motif_m}, "
          f"discord m={params.discord_m}, multi-dim on; same results: {same}")  # fmt: skip
    print(f"runs (s): Spark {', '.join(f'{t:.1f}' for t in spark_runs)}; "
          f"serial {', '.join(f'{t:.1f}' for t in serial_runs)}; "
          f"two processes {', '.join(f'{t:.1f}' for t in pair_runs)}")  # fmt: skip
    print(f"serial loop, 1 numba thread:          {serial_s:7.1f} s")
    print(f"serial loop, {os.cpu_count()} numba threads:         {threaded_s:7.1f} s")
    print(f"Spark local[2] applyInPandas:         {spark_s:7.1f} s")
    print(f"two plain processes, half each:       {pair_s:7.1f} s")
    print(f"speed-up vs serial loop {serial_s / spark_s:.2f}x (goal >= 1.8x); "
          f"vs threaded loop {threaded_s / spark_s:.2f}x")  # fmt: skip
    print(f"two-process ceiling on this machine {serial_s / pair_s:.2f}x; "
          f"Spark reaches {pair_s / spark_s:.0%} of it")  # fmt: skip
    spark.stop()


if __name__ == "__main__":
    main()
