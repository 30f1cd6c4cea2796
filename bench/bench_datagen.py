"""Datagen throughput into Iceberg: rows/s at 50 devices x 2 days and 500 x 7 on local Spark.

Baseline, measured in the same run and session: Spark writing the same number of rows with the
same schema from JVM-generated columns (``spark.range`` arithmetic, no Python) into an
unpartitioned Iceberg table: the raw write throughput of this Spark on this machine.

    .venv/bin/python bench/bench_datagen.py [--sizes 50x2,500x7]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

GOAL_ROWS_PER_S = 200_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="50x2,500x7", help="devices x days, comma separated")
    args = parser.parse_args()
    os.environ["LAB_HOME"] = tempfile.mkdtemp(prefix="bench-datagen-")
    from logistics.datagen import WriteMode, write_telemetry
    from logistics.fleet import FleetSpec
    from logistics.lakehouse import spark_session
    from logistics.telemetry_schema import TELEMETRY_SCHEMA
    from pyspark.sql import functions as F

    spark = spark_session("bench-datagen")
    write_telemetry(spark, FleetSpec(devices=4, days=1), WriteMode.REPLACE, "warmup")
    print(
        f"{'fleet':>8} {'rows':>10} {'simulator rows/s':>17} {'JVM baseline rows/s':>20} "
        f"{'ratio':>6} {'goal':>6}"
    )
    for size in args.sizes.split(","):
        devices, days = (int(x) for x in size.split("x"))
        spec = FleetSpec(devices=devices, days=days)
        result = write_telemetry(spark, spec, WriteMode.REPLACE, "bench_fleet")

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
        started = time.monotonic()
        frame.writeTo("lakehouse.logistics.bench_baseline").using("iceberg").createOrReplace()
        baseline = spec.rows / (time.monotonic() - started)
        ratio = result.rows_per_second / baseline
        print(
            f"{size:>8} {spec.rows:>10,} {result.rows_per_second:>17,.0f} {baseline:>20,.0f} "
            f"{ratio:>6.2f} {result.rows_per_second / GOAL_ROWS_PER_S:>5.2f}x"
        )
    spark.stop()


if __name__ == "__main__":
    main()
