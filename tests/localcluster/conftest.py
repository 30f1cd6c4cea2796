"""The team's components, started once per run on loopback and stopped by their process groups:
a Spark standalone cluster, PostgreSQL, SeaweedFS's S3 and Iceberg's REST catalog.

Why session-scoped: together they take ~20 s to start; every test in this folder uses its own
database, bucket prefix or namespace on them, so tests stay independent. Spark on the cluster runs
in subprocesses with their own environment (``cluster_env``): this run's shared local Spark
session stays as the other tests know it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from localcluster import PostgresServer, RestCatalog, SeaweedS3, SparkStandalone
from logistics.settings import LabSettings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def cluster_tmp() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="lab-cluster-"))
    yield folder
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres(cluster_tmp: Path) -> Iterator[PostgresServer]:
    with PostgresServer.start(cluster_tmp) as server:
        yield server


@pytest.fixture(scope="session")
def s3(cluster_tmp: Path) -> Iterator[SeaweedS3]:
    with SeaweedS3.start(cluster_tmp) as store:
        yield store


@pytest.fixture(scope="session")
def spark_cluster(cluster_tmp: Path) -> Iterator[SparkStandalone]:
    """Two cores and 2 GB for executors: what fits beside other people's tests on two cores."""
    with SparkStandalone.start(cluster_tmp, cores=2, memory="2g") as cluster:
        yield cluster


@pytest.fixture(scope="session")
def rest_catalog(
    cluster_tmp: Path, postgres: PostgresServer, s3: SeaweedS3
) -> Iterator[RestCatalog]:
    """The REST catalog keeps its tables in PostgreSQL and their files in S3."""
    postgres.create_database("rest_catalog")
    with RestCatalog.start(
        jdbc_url=f"jdbc:postgresql://127.0.0.1:{postgres.port}/rest_catalog",
        jdbc_properties={"jdbc.user": "lab", "jdbc.password": postgres.password},
        warehouse=s3.warehouse("rest"),
        s3={
            "s3.endpoint": s3.endpoint,
            "s3.path-style-access": "true",
            "s3.access-key-id": s3.access_key,
            "s3.secret-access-key": s3.secret_key,
            "client.region": "us-east-1",
        },
        parent=cluster_tmp,
    ) as catalog:
        yield catalog


def lab_environment(settings: dict[str, str], home: Path) -> dict[str, str]:
    """This process's environment without its ``LAB_*``/Spark settings, plus ``settings``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LAB_", "SPARK_", "PYSPARK_")) and k != "MLFLOW_TRACKING_URI"
    }
    lib = str(ROOT / "lib")
    env.update(
        LAB_HOME=str(home),
        MLFLOW_TRACKING_URI=f"sqlite:///{home / 'mlflow.db'}",
        PYTHONPATH=os.pathsep.join(p for p in (lib, os.environ.get("PYTHONPATH")) if p),
        PYTHONUNBUFFERED="1",
        **settings,
    )
    return env


@pytest.fixture(scope="session")
def environment_with() -> Callable[[dict[str, str], Path], dict[str, str]]:
    """``lab_environment`` for tests that start their own processes."""
    return lab_environment


def settings_of(env: dict[str, str]) -> LabSettings:
    """The ``LabSettings`` a process with ``env`` reads (its ``LAB_*`` variables)."""
    return LabSettings(
        **{k.removeprefix("LAB_").lower(): v for k, v in env.items() if k.startswith("LAB_")}
    )


@pytest.fixture(scope="session")
def lab_settings_of() -> Callable[[dict[str, str]], LabSettings]:
    return settings_of


@pytest.fixture()
def catalog_settings(
    request: pytest.FixtureRequest, postgres: PostgresServer, s3: SeaweedS3
) -> dict[str, str]:
    """The lab's settings for one catalog kind (``jdbc`` on PostgreSQL or ``rest``), the
    warehouse on S3 under a prefix of its own."""
    prefix = uuid.uuid4().hex[:8]
    settings = {**s3.settings(), "LAB_WAREHOUSE": s3.warehouse(prefix)}
    if request.param == "jdbc":
        settings["LAB_CATALOG_URI"] = postgres.create_database(f"catalog_{prefix}")
    else:
        settings.update(request.getfixturevalue("rest_catalog").settings())
    return settings


@pytest.fixture()
def run_on_cluster(
    spark_cluster: SparkStandalone, tmp_path: Path
) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run a Python file with Spark on the standalone cluster and the given lab settings."""

    def run(
        script: Path, *args: str, settings: dict[str, str], timeout: float = 240
    ) -> subprocess.CompletedProcess[str]:
        env = lab_environment({**spark_cluster.settings(), **settings}, tmp_path)
        result = subprocess.run(
            [sys.executable, str(script), *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            cwd=script.parent,
        )
        assert result.returncode == 0, f"{script.name}:\n{(result.stdout + result.stderr)[-4000:]}"
        return result

    return run
