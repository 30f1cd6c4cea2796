"""Train the time-series models of every device with Spark and write them to Iceberg.

Why Spark: each device's matrix profiles are independent, so ``groupBy("device_id")
.applyInPandas`` spreads devices over every core of the cluster; only small per-device results
come back. Every output row carries the telemetry snapshot id it was learned from, so a model
endpoint and a table row can always be traced to the same data.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

import pandas as pd

from logistics.lakehouse import spark_table, write_table
from logistics.progress import spark_progress
from logistics.settings import get_settings
from logistics.telemetry_schema import series_columns
from logistics.timeseries.device_models import FINDINGS_SCHEMA, TrainingParams, device_findings
from logistics.timeseries.similarity import SIMILARITY_SCHEMA, SimilarityParams, similarity_frame

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

OUTPUT_TABLES = ("motifs", "discords", "device_similarity")
TASK_COLUMN = "training_task"  # the Spark task a device is placed on


@dataclass(frozen=True)
class FleetModels:
    """What a training run produced (small enough to hold on the driver)."""

    snapshot_id: int
    devices: int
    motifs: pd.DataFrame
    discords: pd.DataFrame
    similarity: pd.DataFrame
    seconds: float


def telemetry_at(
    spark: SparkSession, snapshot_id: int, table: str = "fleet_telemetry"
) -> DataFrame:
    """The telemetry table as it was at ``snapshot_id`` (Iceberg time travel)."""
    spark_table(spark, table)  # one clear line when the table is missing
    identifier = get_settings().spark_identifier(table)
    return spark.read.format("iceberg").option("snapshot-id", str(snapshot_id)).load(identifier)


def findings(telemetry: DataFrame, params: TrainingParams) -> DataFrame:
    """One row per motif, discord and multi-dimensional motif of every device."""
    columns = series_columns(params.signals)
    spark = telemetry.sparkSession
    partitions = spark.sparkContext.defaultParallelism * 2
    balanced = balance_devices(telemetry.select(*columns), partitions)
    # Grouping by (task, device) keeps the placement: rows partitioned by ``task`` are already
    # clustered for that grouping, so Spark adds no second shuffle by device.
    return balanced.groupBy(TASK_COLUMN, "device_id").applyInPandas(
        partial(device_findings, params=params), schema=FINDINGS_SCHEMA
    )


def balance_devices(telemetry: DataFrame, partitions: int) -> DataFrame:
    """Spread devices over ``partitions`` Spark tasks so every task has about the same work.

    Why not ``repartition(n, "device_id")``: hashing a small fleet onto a few tasks leaves them
    uneven (24 devices on 4 tasks came out 7/3/8/6), and adaptive execution coalesces an
    unpinned shuffle into one task. Here each device goes, heaviest first, to the task with the
    least work so far (a matrix profile costs the square of the series length); each task gets a
    key that Spark's own hash sends to exactly that partition.
    """
    from pyspark.sql import functions as F

    spark = telemetry.sparkSession
    sizes = telemetry.groupBy("device_id").count().collect()
    load = [0.0] * partitions
    placement = []
    for device in sorted(sizes, key=lambda r: (-r["count"], r["device_id"])):
        task = min(range(partitions), key=load.__getitem__)
        load[task] += float(device["count"]) ** 2
        placement.append((device["device_id"], task))
    keys = _partition_keys(spark, partitions)
    mapping = spark.createDataFrame(
        [(device, keys[task]) for device, task in placement],
        f"device_id string, {TASK_COLUMN} long",
    )
    return telemetry.join(F.broadcast(mapping), "device_id").repartition(partitions, TASK_COLUMN)


_KEYS: dict[int, list[int]] = {}


def _partition_keys(spark: SparkSession, partitions: int) -> list[int]:
    """For each partition p, the smallest non-negative long that ``repartition(partitions, col)``
    sends to p (Spark hashes with Murmur3 then takes the positive modulo). Remembered: the answer
    depends on Spark's hash function only."""
    from pyspark.sql import functions as F

    if partitions in _KEYS:
        return _KEYS[partitions]

    rows = (
        spark.range(0, partitions * 64)
        .select("id", F.pmod(F.hash("id"), F.lit(partitions)).alias("p"))
        .groupBy("p")
        .agg(F.min("id").alias("key"))
        .collect()
    )
    keys = {r["p"]: r["key"] for r in rows}
    if len(keys) < partitions:
        raise RuntimeError(f"no key found for every one of {partitions} partitions")
    _KEYS[partitions] = [keys[p] for p in range(partitions)]
    return _KEYS[partitions]


def _commit_learned(df: DataFrame, table: str, snapshot_id: int) -> None:
    """Replace an output table with rows stamped by the telemetry snapshot they came from."""
    from pyspark.sql import functions as F

    write_table(
        df.withColumn("snapshot_id", F.lit(snapshot_id).cast("long")),
        table,
        snapshot_properties={"lab.source-snapshot-id": str(snapshot_id)},
    )


def train_fleet(
    spark: SparkSession,
    snapshot_id: int,
    params: TrainingParams | None = None,
    similarity: SimilarityParams | None = None,
    table: str = "fleet_telemetry",
) -> FleetModels:
    """Learn motifs, discords and device similarity at one snapshot; commit the three tables."""
    params = params or TrainingParams()
    similarity = similarity or SimilarityParams()
    started = time.monotonic()
    telemetry = telemetry_at(spark, snapshot_id, table)
    learned = findings(telemetry, params).cache()
    try:
        with spark_progress(spark, "learning motifs and discords per device"):
            motifs = learned.filter("kind <> 'discord'")
            _commit_learned(motifs, "motifs", snapshot_id)
            _commit_learned(learned.filter("kind = 'discord'"), "discords", snapshot_id)
            local = learned.toPandas()
    finally:
        learned.unpersist()
    with spark_progress(spark, "comparing devices (AB-joins)"):
        pairs = similarity_frame(spark, telemetry, similarity).cache()
        try:
            _commit_learned(pairs, "device_similarity", snapshot_id)
            local_pairs = pairs.toPandas()
        finally:
            pairs.unpersist()
    discords = local[local["kind"] == "discord"].rename(columns={"distance": "score"})
    return FleetModels(
        snapshot_id=snapshot_id,
        devices=int(local["device_id"].nunique()),
        motifs=local[local["kind"] != "discord"].reset_index(drop=True),
        discords=discords.reset_index(drop=True),
        similarity=local_pairs,
        seconds=time.monotonic() - started,
    )


__all__ = ["OUTPUT_TABLES", "SIMILARITY_SCHEMA", "FleetModels", "findings", "train_fleet"]
