"""Spark's half of the cross-engine test, run on the cluster with the lab's settings: read what
pyiceberg committed, append to it, and write a table of its own.

    python spark_roundtrip.py <namespace>
"""

from __future__ import annotations

import sys

from logistics.lakehouse import spark_session, spark_table, write_table
from logistics.settings import get_settings

namespace = sys.argv[1]
spark = spark_session("cross-engine-roundtrip")
settings = get_settings()
from_python = spark_table(spark, f"{namespace}.from_python")
print(f"spark read {from_python.count()} rows from pyiceberg")
spark.createDataFrame([(4, "spark")], "id long, engine string").writeTo(
    settings.spark_identifier(f"{namespace}.from_python")
).append()
write_table(
    spark.createDataFrame([(i, "spark") for i in range(5)], "id long, engine string"),
    f"{namespace}.from_spark",
    snapshot_properties={"lab.writer": "spark"},
)
print(f"master {spark.sparkContext.master}")
spark.stop()
