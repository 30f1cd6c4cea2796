"""An Iceberg REST catalog: Iceberg's own REST fixture over a JDBC catalog, on 127.0.0.1.

Why assembled from Maven: Iceberg publishes the fixture (``RESTCatalogAdapter``,
``RESTCatalogServlet``) only as thin test jars, and its ``RESTCatalogServer`` binds every
interface; ``RestCatalogLauncher.java`` (run from source by ``java``, no build step) binds
loopback. ``make setup`` copies the classpath that ``pom.xml`` names into ``.jars/rest-catalog``::

    python -m localcluster fetch
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import requests

from localcluster.process import ComponentProcess, MissingComponent, free_port

HERE = Path(__file__).resolve().parent / "rest_catalog"
CLASSPATH_DIR = HERE.parents[2] / ".jars" / "rest-catalog"
"""Where setup puts the fixture's jars: the checkout's git-ignored jars folder."""


def fetch_classpath(target: Path = CLASSPATH_DIR) -> Path:
    """Copy the fixture's jars into ``target`` with Maven (idempotent, never half-copied)."""
    if (target / ".complete").is_file():
        return target
    if shutil.which("mvn") is None:
        raise MissingComponent("mvn not found: install Maven (apt-get install maven)")
    partial = target.with_name(target.name + ".part")
    shutil.rmtree(partial, ignore_errors=True)
    result = subprocess.run(
        [
            "mvn",
            "-q",
            "-B",
            "-f",
            str(HERE / "pom.xml"),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={partial}",
            "-DincludeScope=runtime",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        shutil.rmtree(partial, ignore_errors=True)
        raise MissingComponent(
            "mvn could not fetch the REST catalog's jars: check ~/.m2/settings.xml and retry"
        )
    (partial / ".complete").touch()
    shutil.rmtree(target, ignore_errors=True)
    partial.replace(target)
    return target


@dataclass
class RestCatalog:
    """``http://127.0.0.1:<port>``: Iceberg's REST protocol over a JDBC catalog database."""

    folder: Path
    port: int
    process: ComponentProcess | None = None

    @property
    def uri(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @classmethod
    def start(
        cls,
        *,
        jdbc_url: str,
        jdbc_properties: Mapping[str, str],
        warehouse: str,
        s3: Mapping[str, str] | None = None,
        parent: Path | None = None,
        classpath: Path = CLASSPATH_DIR,
        timeout: float = 90,
    ) -> RestCatalog:
        """``s3`` holds Iceberg's S3FileIO properties (``s3.endpoint``, keys, ``client.region``)
        when ``warehouse`` is ``s3://``."""
        if not (classpath / ".complete").is_file():
            raise MissingComponent(
                "the REST catalog's jars are missing: run `make setup` "
                "(python -m localcluster fetch)"
            )
        java = shutil.which("java")
        if java is None:
            raise MissingComponent(
                "java not found: install a JDK 17 (apt-get install openjdk-17-jdk)"
            )
        folder = Path(tempfile.mkdtemp(prefix="lab-rest-", dir=parent))
        catalog = cls(folder, free_port())
        props = {"uri": jdbc_url, "warehouse": warehouse, **jdbc_properties, **(s3 or {})}
        if warehouse.startswith("s3"):
            props["io-impl"] = "org.apache.iceberg.aws.s3.S3FileIO"
        env = {
            "PATH": "/usr/bin:/bin",
            **{
                "CATALOG_" + key.replace("-", "__").replace(".", "_").upper(): value
                for key, value in props.items()
            },
        }
        try:
            catalog.process = ComponentProcess.start(
                "Iceberg REST catalog",
                [
                    java,
                    "-Xmx256m",
                    "-cp",
                    f"{classpath}/*",
                    str(HERE / "RestCatalogLauncher.java"),
                    str(catalog.port),
                ],
                log=folder / "rest-catalog.log",
                env=env,
                cwd=folder,
                ready=lambda: requests.get(f"{catalog.uri}/v1/config", timeout=1).ok,
                timeout=timeout,
            )
        except BaseException:
            catalog.stop()
            raise
        return catalog

    def settings(self) -> dict[str, str]:
        return {"LAB_CATALOG_TYPE": "rest", "LAB_CATALOG_URI": self.uri}

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> RestCatalog:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
