"""Lakehouse access: one Spark session factory, one pyiceberg catalog loader, one table writer.

Why both: Spark writes and trains at fleet scale, while serving replicas and tests read the same
Iceberg tables through pyiceberg without a JVM. Both engines point at the same catalog database and
warehouse and use the same catalog name, so a table committed by one is visible to the other.

Sedona is registered in the same Spark session as Iceberg (upstream needed a second session).
Tables are named by ``LabSettings.table`` (pyiceberg) and ``LabSettings.spark_identifier`` (Spark).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from logistics.jars import MissingJvmDependency, missing_jars, require_java, spark_artifacts
from logistics.reachability import check_services
from logistics.settings import LabSettings, get_settings

if TYPE_CHECKING:
    import pyarrow as pa
    from pyiceberg.catalog import Catalog
    from pyiceberg.expressions import BooleanExpression
    from pyiceberg.table import Table
    from pyspark.sql import Column, DataFrame, SparkSession


class TableNotFound(LookupError):
    """A lab table does not exist yet; the message names the step that creates it."""


CREATED_BY = {
    "fleet_telemetry": "dev/00_datagen.py",
    "zones": "dev/00_datagen.py",
    "injected_events": "dev/00_datagen.py",
    "iot_fleet": "mlflow_project/00_datagen.py",
}


def creating_step(name: str) -> str:
    """The numbered script that writes a lab table (short or qualified name)."""
    return CREATED_BY.get(name.split(".")[-1], "dev/00_datagen.py")


def missing_table_message(name: str) -> str:
    return f"table {name} does not exist yet: run `python {creating_step(name)}` first"


LOCAL_LOOPBACK_CONF = {
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
}


def spark_conf(settings: LabSettings | None = None) -> dict[str, str]:
    """Every Spark setting the lab needs: jars, Iceberg catalog, Sedona, Arrow."""
    s = settings or get_settings()
    catalog = f"spark.sql.catalog.{s.catalog_name}"
    conf: dict[str, str] = {
        "spark.sql.extensions": ",".join(
            [
                "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions",
                "org.apache.sedona.sql.SedonaSqlExtensions",
            ]
        ),
        "spark.serializer": "org.apache.spark.serializer.KryoSerializer",
        "spark.kryo.registrator": "org.apache.sedona.core.serde.SedonaKryoRegistrator",
        catalog: "org.apache.iceberg.spark.SparkCatalog",
        f"{catalog}.warehouse": s.warehouse_uri,
        "spark.sql.defaultCatalog": s.catalog_name,
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.shuffle.partitions": str(max(2, (os.cpu_count() or 2) * 2)),
        "spark.ui.showConsoleProgress": "false",
        "spark.driver.memory": s.spark_driver_memory,
        "spark.driver.extraJavaOptions": "-Duser.timezone=UTC",
        "spark.executor.extraJavaOptions": "-Duser.timezone=UTC",
    }
    if s.spark_master.startswith("local"):
        # One machine: the driver's RPC, block manager and UI listen on loopback only. Left to
        # Spark, they bind the address the host name resolves to (and the UI every interface).
        conf.update(LOCAL_LOOPBACK_CONF)
    if s.catalog_type == "rest":
        conf[f"{catalog}.type"] = "rest"
        conf[f"{catalog}.uri"] = s.catalog_uri or ""
    else:
        jdbc_url, props = s.catalog_jdbc
        conf[f"{catalog}.type"] = "jdbc"
        conf[f"{catalog}.uri"] = jdbc_url
        conf[f"{catalog}.jdbc.schema-version"] = "V1"
        for key, value in props.items():
            conf[f"{catalog}.jdbc.{key}"] = value
    if s.warehouse_uri.startswith("s3"):
        conf[f"{catalog}.io-impl"] = "org.apache.iceberg.aws.s3.S3FileIO"
        for key, value in s.s3_properties.items():
            conf[f"{catalog}.{key}"] = value
    artifacts = spark_artifacts(s.warehouse_uri)
    if not missing_jars(s.jars_dir):
        conf["spark.jars"] = ",".join(str(s.jars_dir / a.file_name) for a in artifacts)
    else:
        # No pre-fetched jars (no mvn on this machine): let Spark resolve the same coordinates.
        conf["spark.jars.packages"] = ",".join(a.coordinate for a in artifacts)
        conf["spark.jars.ivy"] = str(s.lab_home / "ivy")
    return conf


def spark_session(
    app_name: str = "logistics-lab", settings: LabSettings | None = None
) -> SparkSession:
    """The one way to get Spark: Iceberg catalog + Sedona registered, ``SPARK_MASTER`` honoured."""
    require_java()
    s = settings or get_settings()
    check_services(s, spark=True)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    if s.spark_master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # the UI's bind address
    from pyspark.sql import SparkSession
    from sedona.spark import SedonaContext

    builder = SparkSession.builder.appName(app_name).master(s.spark_master)
    for key, value in spark_conf(s).items():
        builder = builder.config(key, value)
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # the JVM's own message is long; keep the first line
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise MissingJvmDependency(f"Spark did not start ({first}): run `make setup`") from exc
    spark.sparkContext.setLogLevel("ERROR")
    SedonaContext.create(spark)
    spark.sql(f"CREATE NAMESPACE IF NOT EXISTS {s.catalog_name}.{s.namespace}")
    return spark


def load_catalog(settings: LabSettings | None = None) -> Catalog:
    """The pyiceberg catalog on the same database and warehouse Spark uses (no JVM)."""
    from pyiceberg.catalog import load_catalog as _load

    s = settings or get_settings()
    _check_once(s)
    props: dict[str, str] = {"warehouse": s.warehouse_uri, **s.s3_properties}
    if s.catalog_type == "rest":
        props.update(type="rest", uri=s.catalog_uri or "")
    else:
        props.update(type="sql", uri=s.catalog_sqlalchemy_uri)
    return _load(s.catalog_name, **props)


_REACHED: set[tuple[str | None, str | None]] = set()


def _check_once(s: LabSettings) -> None:
    """The services are checked on a process's first catalog load, not on every table read."""
    key = (s.catalog_uri, s.s3_endpoint)
    if key not in _REACHED:
        check_services(s, spark=False)
        _REACHED.add(key)


def load_table(name: str, settings: LabSettings | None = None) -> Table:
    """A lab table by short name (``fleet_telemetry``) or ``namespace.table``."""
    from pyiceberg.exceptions import NoSuchNamespaceError, NoSuchTableError

    s = settings or get_settings()
    identifier = s.table(name)
    try:
        return load_catalog(s).load_table(identifier)
    except (NoSuchTableError, NoSuchNamespaceError) as exc:
        raise TableNotFound(missing_table_message(identifier)) from exc


def read_arrow(
    name: str,
    *,
    snapshot_id: int | None = None,
    row_filter: BooleanExpression | None = None,
    columns: tuple[str, ...] = ("*",),
    settings: LabSettings | None = None,
) -> pa.Table:
    """Read a table (at a snapshot, when given) into Arrow through pyiceberg.

    ``row_filter`` is a ``pyiceberg.expressions`` expression (``EqualTo("device_id", d)``):
    values stay values, and pyiceberg prunes files with it before reading them.
    """
    from pyiceberg.expressions import AlwaysTrue

    table = load_table(name, settings)
    scan = table.scan(
        row_filter=AlwaysTrue() if row_filter is None else row_filter,
        selected_fields=columns,
        snapshot_id=snapshot_id,
    )
    return scan.to_arrow()


def spark_table(spark: SparkSession, name: str, settings: LabSettings | None = None) -> DataFrame:
    """A Spark DataFrame of a lab table; the same clear error as pyiceberg when it is missing."""
    s = settings or get_settings()
    if not spark.catalog.tableExists(s.spark_identifier(name)):
        raise TableNotFound(missing_table_message(s.table(name)))
    return spark.table(s.spark_identifier(name))


def write_table(
    df: DataFrame,
    name: str,
    *,
    append: bool = False,
    snapshot_properties: Mapping[str, str] | None = None,
    partitioned_by: Sequence[Column] = (),
    table_properties: Mapping[str, str] | None = None,
    settings: LabSettings | None = None,
) -> None:
    """Commit ``df`` to a lab table as one Iceberg snapshot: appended, or replacing the table.

    Why one writer: every table the lab creates is Iceberg format v2, and every commit carries
    ``snapshot_properties`` (as ``snapshot-property.<key>``) saying what produced it, so a
    snapshot can be traced to its inputs. A replaced table gets ``partitioned_by`` and
    ``table_properties``; an append keeps the table's own.
    """
    writer = df.writeTo((settings or get_settings()).spark_identifier(name))
    for key, value in (snapshot_properties or {}).items():
        writer = writer.option(f"snapshot-property.{key}", value)
    if append:
        writer.append()
        return
    writer = writer.using("iceberg").tableProperty("format-version", "2")
    for key, value in (table_properties or {}).items():
        writer = writer.tableProperty(key, value)
    if partitioned_by:
        writer = writer.partitionedBy(*partitioned_by)
    writer.createOrReplace()
