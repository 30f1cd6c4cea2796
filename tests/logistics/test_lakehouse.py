"""One catalog, two engines: what Spark commits, pyiceberg reads without a JVM."""

from __future__ import annotations

import pytest
from logistics.lakehouse import TableNotFound, load_table, read_arrow, spark_table
from logistics.settings import LabSettings


def test_spark_writes_and_pyiceberg_reads_the_same_table(spark) -> None:
    spark.sql("CREATE OR REPLACE TABLE logistics.handshake (id bigint, note string) USING iceberg")
    spark.sql("INSERT INTO logistics.handshake VALUES (1, 'from spark'), (2, 'still spark')")
    table = read_arrow("handshake")
    assert sorted(table.column("id").to_pylist()) == [1, 2]
    snapshot = spark.sql(
        "SELECT snapshot_id FROM logistics.handshake.snapshots ORDER BY committed_at DESC LIMIT 1"
    ).first()[0]
    assert load_table("handshake").current_snapshot().snapshot_id == snapshot


def test_sedona_answers_in_the_same_session_as_iceberg(spark) -> None:
    row = spark.sql(
        "SELECT ST_Contains(ST_GeomFromWKT('POLYGON((0 0,2 0,2 2,0 2,0 0))'), ST_Point(1.0, 1.0))"
    ).first()
    assert row[0] is True


def test_reading_a_missing_table_says_to_run_datagen_first(spark) -> None:
    with pytest.raises(TableNotFound, match=r"run `python dev/00_datagen.py` first"):
        load_table("no_such_table")
    with pytest.raises(TableNotFound, match="00_datagen"):
        spark_table(spark, "fleet_telemetry_missing")


def test_both_engines_name_a_table_by_the_same_namespace_and_catalog() -> None:
    settings = LabSettings(catalog_name="lh", namespace="fleet")
    assert settings.table("zones") == settings.table("fleet.zones") == "fleet.zones"
    assert settings.spark_identifier("zones") == "lh.fleet.zones"
    assert settings.spark_identifier("fleet.zones") == "lh.fleet.zones"


def test_catalog_uri_maps_to_the_matching_jdbc_url() -> None:
    sqlite = LabSettings(catalog_uri="sqlite:////data/lab/catalog.db")
    assert sqlite.catalog_jdbc == ("jdbc:sqlite:/data/lab/catalog.db", {})
    pg = LabSettings(catalog_uri="postgresql+psycopg2://lab:secret@db.internal:5433/iceberg")
    assert pg.catalog_jdbc == (
        "jdbc:postgresql://db.internal:5433/iceberg",
        {"user": "lab", "password": "secret"},
    )
    with pytest.raises(ValueError, match="LAB_CATALOG_URI"):
        _ = LabSettings(catalog_uri="mysql://x/y").catalog_jdbc


def test_an_s3_warehouse_gives_both_engines_the_same_endpoint_keys_and_region(lab_home) -> None:
    from logistics.lakehouse import spark_conf

    settings = LabSettings(
        warehouse="s3://warehouse/lab",
        s3_endpoint="http://127.0.0.1:8333",
        s3_access_key_id="key",
        s3_secret_access_key="secret",
    )
    conf = spark_conf(settings)
    prefix = f"spark.sql.catalog.{settings.catalog_name}"
    assert conf[f"{prefix}.io-impl"] == "org.apache.iceberg.aws.s3.S3FileIO"
    for key, value in settings.s3_properties.items():
        assert conf[f"{prefix}.{key}"] == value
    assert settings.s3_properties["s3.path-style-access"] == "true"
    assert settings.s3_properties["client.region"] == "us-east-1"
    jars = conf.get("spark.jars", conf.get("spark.jars.packages", ""))
    assert "iceberg-aws-bundle" in jars


def test_a_folder_warehouse_needs_no_s3_jar_nor_s3_settings(lab_home) -> None:
    from logistics.lakehouse import spark_conf

    settings = LabSettings(s3_endpoint="http://127.0.0.1:8333")
    conf = spark_conf(settings)
    assert settings.s3_properties == {}
    assert "iceberg-aws-bundle" not in conf.get("spark.jars", conf.get("spark.jars.packages", ""))
