"""Fleet training: Spark local[2] (applyInPandas per device) vs a serial Python loop over devices.

Both run the same ``device_findings`` on the same telemetry snapshot with numba's kernels already
compiled (disk cache), each task on one numba thread; the answers are compared before timing is
reported. The Spark time includes planning (device sizes, task placement). The two alternate and
the best of each counts, since this machine's speed drifts. A second baseline lets the serial loop
use numba's threads on every core.

    python bench/bench_fleet_training.py [--devices 24 --days 2 --repeats 3]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from dataclasses import replace
from pathlib import Path


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
    spark_runs, serial_runs = [], []
    for _ in range(args.repeats):
        started = time.perf_counter()
        on_spark = findings(telemetry_df, params).toPandas()  # placement planning included
        spark_runs.append(time.perf_counter() - started)
        started = time.perf_counter()
        serial = serial_findings(telemetry, params)
        serial_runs.append(time.perf_counter() - started)
    spark_s, serial_s = min(spark_runs), min(serial_runs)
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
          f"serial {', '.join(f'{t:.1f}' for t in serial_runs)}")  # fmt: skip
    print(f"serial loop, 1 numba thread:          {serial_s:7.1f} s")
    print(f"serial loop, {os.cpu_count()} numba threads:         {threaded_s:7.1f} s")
    print(f"Spark local[2] applyInPandas:         {spark_s:7.1f} s")
    print(f"speed-up vs serial loop {serial_s / spark_s:.2f}x (goal >= 1.8x); "
          f"vs threaded loop {threaded_s / spark_s:.2f}x")  # fmt: skip
    spark.stop()


if __name__ == "__main__":
    main()
