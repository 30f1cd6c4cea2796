"""Datagen and fleet training on a Spark standalone cluster vs ``local[2]``, on this machine.

Both runs start the same Spark session factory with the same catalog, fleet and training
parameters, each in its own process; only ``SPARK_MASTER`` differs. The cluster is a master and a
worker on 127.0.0.1 (``localcluster.SparkStandalone``: one two-core executor of 1 GB, driver
1 GB); ``local[2]`` runs its two task threads inside a 2 GB driver. Datagen is timed on a
replacing write after a warm-up write; training after one warm-up pass (Python workers started,
numba's kernels in the disk cache). The best of ``--repeats`` counts. Ratio = standalone / local[2]
seconds: below 1 the cluster was faster (its executor JVM works beside the driver instead of
inside it), above 1 it paid more for shipping tasks and results between JVMs.

    .venv/bin/python bench/bench_standalone_cluster.py [--devices 12 --days 1 --repeats 2]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def measure(devices: int, days: int, repeats: int) -> dict[str, float]:
    """In a child process: seconds of datagen and of fleet training on this SPARK_MASTER."""
    from logistics.datagen import WriteMode, write_fleet
    from logistics.fleet import FleetSpec
    from logistics.lakehouse import spark_session
    from logistics.timeseries.device_models import TrainingParams
    from logistics.timeseries.fleet_training import findings, telemetry_at

    started = time.perf_counter()
    spark = spark_session("bench-standalone-cluster")
    session_s = time.perf_counter() - started
    spec = FleetSpec(devices, days, seed=7)
    write_fleet(spark, FleetSpec(2, 1, seed=3), WriteMode.REPLACE)  # warm-up
    datagen, training = [], []
    params = TrainingParams()
    for _ in range(repeats):
        started = time.perf_counter()
        result = write_fleet(spark, spec, WriteMode.REPLACE)
        datagen.append(time.perf_counter() - started)
        telemetry = telemetry_at(spark, result.snapshot_id)
        if not training:
            findings(telemetry, params).count()  # start the Python workers, load the kernels
        started = time.perf_counter()
        findings(telemetry, params).toPandas()
        training.append(time.perf_counter() - started)
    master = spark.sparkContext.master
    spark.stop()
    return {
        "master": master,
        "session_s": session_s,
        "datagen_s": min(datagen),
        "training_s": min(training),
        "rows": spec.rows,
    }


def run_child(args: argparse.Namespace, env: dict[str, str]) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--child", *sys.argv[1:]],
        capture_output=True,
        text=True,
        env=env,
        timeout=1800,
        stdin=subprocess.DEVNULL,
    )
    if result.returncode != 0:
        raise SystemExit(f"error: the {env['SPARK_MASTER']} run failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=12)
    parser.add_argument("--days", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.devices, args.days, args.repeats)))
        return

    from localcluster import SparkStandalone

    home = Path(tempfile.mkdtemp(prefix="bench-standalone-"))
    base = {k: v for k, v in os.environ.items() if not k.startswith(("LAB_", "SPARK_"))}
    base.update(LAB_HOME=str(home), NUMBA_CACHE_DIR=str(home / "numba-cache"))
    try:
        local = run_child(
            args, {**base, "SPARK_MASTER": "local[2]", "LAB_SPARK_DRIVER_MEMORY": "2g"}
        )
        with SparkStandalone.start(home, cores=2, memory="2g", env=base) as cluster:
            on_cluster = run_child(args, {**base, **cluster.settings()})
    finally:
        shutil.rmtree(home, ignore_errors=True)
    print(
        f"{args.devices} devices x {args.days} days ({local['rows']:,} readings), best of "
        f"{args.repeats}"
    )
    print(f"{'':22} {'local[2]':>10} {'standalone':>11} {'ratio':>7}")
    for key, label in (
        ("session_s", "session start (s)"),
        ("datagen_s", "datagen (s)"),
        ("training_s", "fleet training (s)"),
    ):
        print(
            f"{label:22} {local[key]:10.1f} {on_cluster[key]:11.1f} "
            f"{on_cluster[key] / local[key]:7.2f}"
        )
    print(f"standalone master: {on_cluster['master']}")


if __name__ == "__main__":
    main()
