"""Spark on the standalone cluster and pyiceberg read each other's commits on every team catalog:
Iceberg's JDBC catalog on PostgreSQL and the REST catalog, with the warehouse on S3."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from logistics.lakehouse import load_catalog

HERE = Path(__file__).parent


@pytest.mark.parametrize("catalog_settings", ["jdbc", "rest"], indirect=True)
def test_spark_on_the_cluster_and_pyiceberg_read_each_others_commits(
    catalog_settings, run_on_cluster, spark_cluster, lab_settings_of
):
    settings = lab_settings_of(catalog_settings)
    catalog = load_catalog(settings)
    namespace = f"cross_{settings.warehouse.rsplit('/', 1)[-1]}"
    catalog.create_namespace(namespace)
    table = catalog.create_table(
        f"{namespace}.from_python",
        schema=pa.schema([("id", pa.int64()), ("engine", pa.string())]),
    )
    table.append(pa.table({"id": [1, 2, 3], "engine": ["python"] * 3}))

    result = run_on_cluster(HERE / "spark_roundtrip.py", namespace, settings=catalog_settings)

    assert "spark read 3 rows from pyiceberg" in result.stdout
    assert f"master {spark_cluster.master_url}" in result.stdout
    assert "cross-engine-roundtrip" in spark_cluster.application_names()
    appended = catalog.load_table(f"{namespace}.from_python")
    assert sorted(appended.scan().to_arrow().column("id").to_pylist()) == [1, 2, 3, 4]
    assert len(appended.snapshots()) == 2
    from_spark = catalog.load_table(f"{namespace}.from_spark")
    assert from_spark.scan().to_arrow().num_rows == 5
    assert from_spark.current_snapshot().summary["lab.writer"] == "spark"
    assert from_spark.location().startswith(f"s3://{settings.warehouse.split('/')[2]}/")
