"""Iceberg snapshot lineage for models: which data a model learned from, and what is new since.

Why: a model logged with the snapshot id, commit time, parent id and row count of its training data
can be traced back to exactly those rows (time travel), and a retrain can read only the rows a new
batch appended (incremental read between two snapshots).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from logistics.lakehouse import load_table, spark_table
from logistics.settings import get_settings

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


@dataclass(frozen=True)
class SnapshotInfo:
    """One Iceberg snapshot as MLflow tags record it."""

    snapshot_id: int
    committed_at: datetime
    parent_id: int | None
    row_count: int

    def as_tags(self) -> dict[str, str]:
        return {
            "iceberg_snapshot_id": str(self.snapshot_id),
            "iceberg_snapshot_committed_at": self.committed_at.isoformat(),
            "iceberg_parent_id": "" if self.parent_id is None else str(self.parent_id),
            "row_count": str(self.row_count),
        }


def current_snapshot(table_name: str) -> SnapshotInfo:
    """The table's current snapshot (pyiceberg, no JVM); row count of the whole table at it."""
    table = load_table(table_name)
    snapshot = table.current_snapshot()
    if snapshot is None:
        raise ValueError(f"table {table_name} has no snapshot yet: run its datagen step first")
    summary = snapshot.summary
    total = summary["total-records"] if summary and "total-records" in summary else None
    return SnapshotInfo(
        snapshot_id=snapshot.snapshot_id,
        committed_at=datetime.fromtimestamp(snapshot.timestamp_ms / 1000, tz=UTC),
        parent_id=snapshot.parent_snapshot_id,
        row_count=int(total) if total is not None else len(table.scan().to_arrow()),
    )


def read_increment(
    spark: SparkSession, table_name: str, start_exclusive: int, end: int
) -> DataFrame:
    """Rows appended after snapshot ``start_exclusive`` up to and including ``end``."""
    settings = get_settings()
    spark_table(spark, table_name)  # clear error when the table is missing
    identifier = f"{settings.catalog_name}.{settings.table(table_name)}"
    return (
        spark.read.format("iceberg")
        .option("start-snapshot-id", str(start_exclusive))
        .option("end-snapshot-id", str(end))
        .load(identifier)
    )
