"""Datagen throughput into Iceberg: rows/s at 50 devices x 2 days and 500 x 7 on local Spark.

Baseline, measured in the same run and session: Spark writing the same number of rows with the
same schema from JVM-generated columns (``spark.range`` arithmetic, no Python) into an
unpartitioned Iceberg table: the raw write throughput of this Spark on this machine.

Where the time goes: "simulate only" runs the same simulation into Spark's ``noop`` sink (Python
simulation, Arrow transfer to the JVM, no Parquet, no commit), so the gap between it and the full
write is Parquet encoding and the Iceberg commit. The load average is printed beside each row
because the ratios, not the absolute figures, are what carries over between machines; on a
shared machine the CPU ratio (CPU seconds the Spark JVM and its Python workers spent per row,
baseline over datagen) moves less with other people's load than the wall-clock one.

    .venv/bin/python bench/bench_datagen.py [--sizes 50x2,500x7]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

GOAL_ROWS_PER_S = 250_000


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and every process below it (Python workers)."""
    import psutil

    total = 0.0
    root = psutil.Process(pid)
    for process in [root, *root.children(recursive=True)]:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system + times.children_user + times.children_system
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="50x2,500x7", help="devices x days, comma separated")
    args = parser.parse_args()
    os.environ["LAB_HOME"] = tempfile.mkdtemp(prefix="bench-datagen-")
    from logistics.datagen import WriteMode, telemetry_frame, write_telemetry
    from logistics.fleet import FleetSpec
    from logistics.lakehouse import spark_session
    from logistics.telemetry_schema import TELEMETRY_SCHEMA
    from pyspark.sql import functions as F

    spark = spark_session("bench-datagen")
    jvm = spark.sparkContext._jvm.java.lang.ProcessHandle.current().pid()
    write_telemetry(spark, FleetSpec(devices=4, days=1), WriteMode.REPLACE, "warmup")
    print(
        f"{'fleet':>8} {'rows':>10} {'simulate only':>14} {'datagen rows/s':>15} "
        f"{'JVM baseline rows/s':>20} {'ratio':>6} {'CPU ratio':>9} {'goal':>6} {'load':>5}"
    )
    for size in args.sizes.split(","):
        devices, days = (int(x) for x in size.split("x"))
        spec = FleetSpec(devices=devices, days=days)
        started = time.monotonic()
        telemetry_frame(spark, spec).write.format("noop").mode("overwrite").save()
        simulate_only = spec.rows / (time.monotonic() - started)
        cpu_started = cpu_seconds(jvm)
        result = write_telemetry(spark, spec, WriteMode.REPLACE, "bench_fleet")
        datagen_cpu = cpu_seconds(jvm) - cpu_started

        columns = [c.strip().split(" ") for c in TELEMETRY_SCHEMA.split(",")]
        frame = spark.range(spec.rows).select(
            *[
                (
                    F.format_string("device-%04d", (F.col("id") % devices).cast("int"))
                    if name == "device_id"
                    else F.timestamp_seconds(F.lit(1767571200) + F.col("id") * 60)
                    if kind == "timestamp"
                    else F.lit("system ok")
                    if kind == "string"
                    else (F.col("id") % 2).cast(kind)
                    if kind == "int"
                    else (F.col("id") * 0.001).cast(kind)
                ).alias(name)
                for name, kind in columns
            ]
        )
        started, cpu_started = time.monotonic(), cpu_seconds(jvm)
        frame.writeTo("lakehouse.logistics.bench_baseline").using("iceberg").createOrReplace()
        baseline = spec.rows / (time.monotonic() - started)
        cpu_ratio = (cpu_seconds(jvm) - cpu_started) / datagen_cpu
        ratio = result.rows_per_second / baseline
        print(
            f"{size:>8} {spec.rows:>10,} {simulate_only:>14,.0f} {result.rows_per_second:>15,.0f} "
            f"{baseline:>20,.0f} {ratio:>6.2f} {cpu_ratio:>9.2f} "
            f"{result.rows_per_second / GOAL_ROWS_PER_S:>5.2f}x "
            f"{os.getloadavg()[0]:>5.1f}"
        )
    spark.stop()


if __name__ == "__main__":
    main()
