"""Iceberg snapshot lineage for models: which data a model learned from, and what is new since.

Why: a model logged with the table, snapshot id, commit time, parent id and row count of its
training data can be traced back to exactly those rows (time travel), and a retrain can read only
the rows a new batch appended (incremental read between two snapshots). Every snapshot id a user
or a deployment names goes through ``resolve_snapshot``, so a bad one is refused the same way by
training, serving and lineage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from logistics.lakehouse import creating_step, load_table, spark_table
from logistics.settings import get_settings

if TYPE_CHECKING:
    from pyiceberg.table import Table
    from pyiceberg.table.snapshots import Snapshot
    from pyspark.sql import DataFrame, SparkSession


@dataclass(frozen=True)
class SnapshotInfo:
    """One Iceberg snapshot of one table, as MLflow tags record it."""

    table: str
    snapshot_id: int
    committed_at: datetime
    parent_id: int | None
    row_count: int

    def as_tags(self) -> dict[str, str]:
        return {
            "iceberg_table": self.table,
            "iceberg_snapshot_id": str(self.snapshot_id),
            "iceberg_snapshot_committed_at": self.committed_at.isoformat(),
            "iceberg_parent_id": "" if self.parent_id is None else str(self.parent_id),
            "row_count": str(self.row_count),
        }


def resolve_snapshot(table: Table, snapshot_id: int | None = None) -> Snapshot:
    """Snapshot ``snapshot_id`` of ``table`` (checked to exist), or the table's current one."""
    name = ".".join(table.name())
    if snapshot_id is None:
        snapshot = table.current_snapshot()
        if snapshot is None:
            step = creating_step(name)
            raise ValueError(f"table {name} has no snapshot yet: run `python {step}` first")
        return snapshot
    snapshot = table.snapshot_by_id(int(snapshot_id))
    if snapshot is None:
        raise ValueError(f"snapshot id {snapshot_id} is not a snapshot of table {name}")
    return snapshot


def snapshot_info(table_name: str, snapshot_id: int | None = None) -> SnapshotInfo:
    """Lineage of one snapshot of a table (its current one when ``snapshot_id`` is None).

    Read through pyiceberg (no JVM); the row count is the table's at that snapshot.
    """
    table = load_table(table_name)
    snapshot = resolve_snapshot(table, snapshot_id)
    summary = snapshot.summary
    total = summary["total-records"] if summary and "total-records" in summary else None
    if total is None:
        total = len(table.scan(snapshot_id=snapshot.snapshot_id).to_arrow())
    return SnapshotInfo(
        table=".".join(table.name()),
        snapshot_id=snapshot.snapshot_id,
        committed_at=datetime.fromtimestamp(snapshot.timestamp_ms / 1000, tz=UTC),
        parent_id=snapshot.parent_snapshot_id,
        row_count=int(total),
    )


def log_lineage(snapshot: SnapshotInfo) -> None:
    """Tag the active MLflow run with the Iceberg snapshot it learned from."""
    import mlflow

    mlflow.set_tags(snapshot.as_tags())


def read_increment(
    spark: SparkSession, table_name: str, start_exclusive: int, end: int
) -> DataFrame:
    """Rows appended after snapshot ``start_exclusive`` up to and including ``end``."""
    spark_table(spark, table_name)  # clear error when the table is missing
    return (
        spark.read.format("iceberg")
        .option("start-snapshot-id", str(start_exclusive))
        .option("end-snapshot-id", str(end))
        .load(get_settings().spark_identifier(table_name))
    )
