"""CML's data connections: ``get_connection(name).get_spark_session()`` gives the lab's Spark.

Example, as the upstream notebooks write it::

    import cml.data_v1 as cmldata

    conn = cmldata.get_connection("go01-aw-dl")
    spark = conn.get_spark_session()
    spark.sql("SHOW TABLES IN logistics").show()
"""

from __future__ import annotations

from cml.data_v1.connections import SparkConnection, get_connection

__all__ = ["SparkConnection", "get_connection"]
