"""``cml.data_v1`` as the upstream notebooks use it: every connection name reaches the lab's
lakehouse, through the one Spark session of the process."""

from __future__ import annotations

import cml.data_v1 as cmldata
import pyarrow as pa
import pytest
from logistics.lakehouse import load_catalog
from logistics.settings import get_settings


@pytest.mark.spark
@pytest.mark.parametrize("connection_name", ["go01-aw-dl", "se-aw-mdl"])
def test_a_connection_of_the_upstream_lab_gives_the_running_spark_session(spark, connection_name):
    conn = cmldata.get_connection(connection_name)
    assert conn.get_spark_session() is spark  # the same JVM, not a second session


@pytest.mark.spark
def test_the_connections_spark_reads_an_iceberg_table_another_engine_wrote(spark):
    identifier = get_settings().table("cml_connection")
    catalog = load_catalog()
    rows = pa.table({"device_id": ["0x1000000000005", "0x1000000000017"], "signal": [51, 54]})
    if catalog.table_exists(identifier):
        catalog.drop_table(identifier)
    catalog.create_table(identifier, schema=rows.schema).append(rows)

    session = cmldata.get_connection("go01-aw-dl").get_spark_session()
    found = session.table(get_settings().spark_identifier("cml_connection")).orderBy("signal")
    assert [(r.device_id, r.signal) for r in found.collect()] == [
        ("0x1000000000005", 51),
        ("0x1000000000017", 54),
    ]
    assert session.sql("SELECT ST_AsText(ST_Point(1.0, 2.0))").first()[0] == "POINT (1 2)"


@pytest.mark.parametrize("blank", ["", "   "])
def test_an_empty_connection_name_is_refused_in_one_line(blank):
    with pytest.raises(ValueError, match="needs a name") as refused:
        cmldata.get_connection(blank)
    assert "\n" not in str(refused.value)
