"""Every connection name resolves to the lab's lakehouse.

Why any name: a CML workspace names its data lake per site ("go01-aw-dl", "se-aw-mdl" in the
upstream lab); here there is one lakehouse, so each of those names reaches it and a script keeps
its ``CONNECTION_NAME`` line as written. Only an empty name is refused, as a sure typo.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


@dataclass(frozen=True)
class SparkConnection:
    """A named connection to the lab's lakehouse, read and written through Spark."""

    name: str

    def get_spark_session(self) -> SparkSession:
        """The lab's Spark session (Iceberg catalog and Sedona); the active one when it runs."""
        from logistics.lakehouse import spark_session

        return spark_session()


def get_connection(connection_name: str) -> SparkConnection:
    """The connection of that name; refuses an empty one in one line."""
    name = (connection_name or "").strip()
    if not name:
        raise ValueError(
            "a data connection needs a name (e.g. 'go01-aw-dl'); every name reaches the lakehouse"
        )
    return SparkConnection(name)
