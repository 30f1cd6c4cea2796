"""One settings object for the lab, read from ``LAB_*`` environment variables.

Why one module: every engine (Spark, pyiceberg, MLflow, the scripts) must agree on where the
catalog, the warehouse and the runtime state live, or a table Spark writes is invisible to Python.

Example::

    from logistics.settings import get_settings
    settings = get_settings()
    settings.lab_home            # .lab/ in the checkout unless LAB_HOME is set
    settings.catalog_sqlalchemy_uri
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]
"""The checkout this package was installed from (editable install)."""


class LabSettings(BaseSettings):
    """Where state lives and how engines reach the lakehouse; every field is a ``LAB_`` variable."""

    model_config = SettingsConfigDict(env_prefix="LAB_", extra="ignore")

    home: Path = Field(
        default=PROJECT_ROOT / ".lab", description="Runtime state folder (LAB_HOME)."
    )
    jars_dir: Path = Field(
        default=PROJECT_ROOT / ".jars", description="Where setup puts the pinned Maven artifacts."
    )
    catalog_name: str = Field(
        default="lakehouse", description="Iceberg catalog name, same in both engines."
    )
    catalog_type: str = Field(default="sql", description="'sql' (JDBC/SQL catalog) or 'rest'.")
    catalog_uri: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the catalog database (sqlite:///..., postgresql://...) "
        "or the "
        "REST catalog URL; default a SQLite file under LAB_HOME.",
    )
    warehouse: str | None = Field(
        default=None, description="Warehouse location: a folder or s3://bucket/prefix."
    )
    s3_endpoint: str | None = Field(default=None, description="S3-compatible endpoint URL.")
    s3_access_key_id: str | None = Field(
        default=None, description="S3 access key; else the AWS SDK's own chain (AWS_*, profile)."
    )
    s3_secret_access_key: str | None = Field(default=None, description="S3 secret key.")
    s3_region: str = Field(
        default="us-east-1", description="S3 region; S3-compatible stores accept any."
    )
    namespace: str = Field(
        default="logistics", description="Iceberg namespace of the lab's tables."
    )
    spark_master: str = Field(
        default="local[*]",
        validation_alias="SPARK_MASTER",
        description="Spark master URL; SPARK_MASTER as Spark users know it.",
    )
    spark_driver_memory: str = Field(
        default="4g", description="spark.driver.memory for local runs."
    )
    mlflow_port: int = Field(
        default=8781, description="Port of the MLflow server the workspace starts (127.0.0.1)."
    )

    @property
    def lab_home(self) -> Path:
        return self.home.resolve()

    @property
    def reports_dir(self) -> Path:
        path = self.lab_home / "reports"
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def catalog_sqlalchemy_uri(self) -> str:
        if self.catalog_uri:
            return self.catalog_uri
        return f"sqlite:///{self.lab_home / 'catalog.db'}"

    @property
    def catalog_jdbc(self) -> tuple[str, dict[str, str]]:
        """The JDBC URL and properties Iceberg's JDBC catalog needs for the same database."""
        parts = urlsplit(self.catalog_sqlalchemy_uri)
        scheme = parts.scheme.split("+", 1)[0]
        if scheme == "sqlite":
            return f"jdbc:sqlite:{self.catalog_sqlalchemy_uri.split(':///', 1)[1]}", {}
        if scheme in {"postgresql", "postgres"}:
            props = {k: v for k, v in (("user", parts.username), ("password", parts.password)) if v}
            port = f":{parts.port}" if parts.port else ""
            return f"jdbc:postgresql://{parts.hostname}{port}{parts.path}", props
        raise ValueError(
            f"LAB_CATALOG_URI scheme {parts.scheme!r} is not supported: use sqlite:/// or postgresql://"
        )

    @property
    def warehouse_uri(self) -> str:
        if self.warehouse:
            if "://" in self.warehouse:
                return self.warehouse
            return Path(self.warehouse).resolve().as_uri()
        path = self.lab_home / "warehouse"
        path.mkdir(parents=True, exist_ok=True)
        return path.as_uri()

    @property
    def s3_properties(self) -> dict[str, str]:
        """Iceberg FileIO properties of the S3 warehouse, the same for Spark and pyiceberg."""
        if not self.warehouse_uri.startswith("s3"):
            return {}
        props = {"s3.region": self.s3_region, "client.region": self.s3_region}
        if self.s3_endpoint:
            props.update({"s3.endpoint": self.s3_endpoint, "s3.path-style-access": "true"})
        if self.s3_access_key_id and self.s3_secret_access_key:
            props["s3.access-key-id"] = self.s3_access_key_id
            props["s3.secret-access-key"] = self.s3_secret_access_key
        return props

    @property
    def mlflow_dir(self) -> Path:
        """The workspace's MLflow store: ``mlflow.db`` and ``artifacts/``."""
        return self.lab_home / "mlflow"

    def table(self, name: str) -> str:
        """``namespace.table`` of a lab table, as pyiceberg and Spark SQL name it.

        ``name`` is a short name (``fleet_telemetry``) or already ``namespace.table``.
        """
        return name if "." in name else f"{self.namespace}.{name}"

    def spark_identifier(self, name: str) -> str:
        """``catalog.namespace.table``: what Spark's readers and writers are given, so they
        reach our catalog whatever the session's current catalog is."""
        return f"{self.catalog_name}.{self.table(name)}"


@lru_cache(maxsize=1)
def get_settings() -> LabSettings:
    """The process-wide settings; tests clear the cache after changing the environment."""
    settings = LabSettings()
    settings.lab_home.mkdir(parents=True, exist_ok=True)
    return settings
