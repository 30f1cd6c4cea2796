"""Small summaries the data steps show after a write, so a user sees at once what was committed.

Why Spark SQL: the steps already hold the Spark session that wrote the table, and reading it back
through the same catalog proves the commit is visible to the next step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from logistics.settings import get_settings

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


def readings_by_event_type(spark: SparkSession, table: str = "fleet_telemetry") -> DataFrame:
    """Readings per ``event_type`` (normal, and each injected event kind)."""
    return spark.sql(
        f"SELECT event_type, count(*) AS readings FROM {get_settings().table(table)} "
        "GROUP BY event_type"
    )


def rows_by_failure_label(spark: SparkSession, table: str = "iot_fleet") -> DataFrame:
    """Rows per ``iot_failure`` label: how balanced the classifier's training data is."""
    return spark.sql(
        f"SELECT iot_failure, count(*) AS rows FROM {get_settings().table(table)} "
        "GROUP BY iot_failure"
    )


def snapshot_history(spark: SparkSession, table: str = "iot_fleet") -> DataFrame:
    """Every snapshot of ``table`` with its parent, commit time and the rows it added."""
    return spark.sql(
        "SELECT snapshot_id, parent_id, committed_at, summary['added-records'] AS added "
        f"FROM {get_settings().table(table)}.snapshots ORDER BY committed_at"
    )
