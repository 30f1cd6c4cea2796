"""The JVM extensions Spark needs, pinned once, fetched with Maven into a git-ignored folder.

Why pinned here: the Spark session factory and the setup step must agree on the exact artifacts, and
Iceberg and Sedona only publish runtimes for some Spark versions (pyspark is pinned to match in
requirements.txt). Where ``mvn`` is missing, Spark resolves the same coordinates itself
(``spark.jars.packages``).

Usage::

    python -m logistics.jars fetch    # what ``make setup`` runs
    python -m logistics.jars check    # exit 1 with one line when something is missing
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from logistics.settings import get_settings

SPARK_VERSION = "4.0.1"
SCALA_BINARY = "2.13"


@dataclass(frozen=True)
class MavenArtifact:
    """One jar by its Maven coordinate."""

    group: str
    artifact: str
    version: str

    @property
    def coordinate(self) -> str:
        return f"{self.group}:{self.artifact}:{self.version}"

    @property
    def file_name(self) -> str:
        return f"{self.artifact}-{self.version}.jar"


SPARK_ARTIFACTS: tuple[MavenArtifact, ...] = (
    MavenArtifact("org.apache.iceberg", f"iceberg-spark-runtime-4.0_{SCALA_BINARY}", "1.10.1"),
    MavenArtifact("org.apache.sedona", f"sedona-spark-shaded-4.0_{SCALA_BINARY}", "1.8.0"),
    MavenArtifact("org.datasyslab", "geotools-wrapper", "1.8.0-33.1"),
    MavenArtifact("org.xerial", "sqlite-jdbc", "3.50.3.0"),
    MavenArtifact("org.postgresql", "postgresql", "42.7.8"),
)
S3_ARTIFACTS: tuple[MavenArtifact, ...] = (
    # AWS SDK v2, shaded, for Iceberg's S3FileIO; only on Spark's classpath for s3:// warehouses.
    MavenArtifact("org.apache.iceberg", "iceberg-aws-bundle", "1.10.1"),
)


def spark_artifacts(warehouse_uri: str) -> tuple[MavenArtifact, ...]:
    """The jars a session needs for this warehouse: S3's SDK only when it is on S3."""
    return SPARK_ARTIFACTS + (S3_ARTIFACTS if warehouse_uri.startswith("s3") else ())


class MissingJvmDependency(RuntimeError):
    """Java or a pinned jar is missing; the message says what to install or run."""


def jar_paths(jars_dir: Path | None = None) -> list[Path]:
    folder = jars_dir or get_settings().jars_dir
    return [folder / a.file_name for a in SPARK_ARTIFACTS + S3_ARTIFACTS]


def missing_jars(jars_dir: Path | None = None) -> list[Path]:
    return [p for p in jar_paths(jars_dir) if not p.is_file()]


def require_java() -> None:
    if shutil.which("java") is None:
        raise MissingJvmDependency(
            "Java 17 is required by Spark: install a JDK 17 (apt-get install openjdk-17-jdk)"
        )


def fetch(jars_dir: Path | None = None) -> list[Path]:
    """Copy every pinned jar into ``jars_dir`` with ``mvn dependency:copy`` (idempotent)."""
    folder = jars_dir or get_settings().jars_dir
    folder.mkdir(parents=True, exist_ok=True)
    if shutil.which("mvn") is None:
        raise MissingJvmDependency(
            "mvn not found: install Maven to pre-fetch the Spark jars, or let Spark resolve "
            "them on first start (needs network)"
        )
    for artifact in SPARK_ARTIFACTS + S3_ARTIFACTS:
        target = folder / artifact.file_name
        if target.is_file():
            continue
        partial = folder / f".{artifact.file_name}.part"
        partial.mkdir(exist_ok=True)
        result = subprocess.run(
            [
                "mvn",
                "-q",
                "-B",
                "dependency:copy",
                f"-Dartifact={artifact.coordinate}",
                f"-DoutputDirectory={partial}",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        fetched = partial / artifact.file_name
        if result.returncode != 0 or not fetched.is_file():
            shutil.rmtree(partial, ignore_errors=True)
            raise MissingJvmDependency(
                f"mvn could not fetch {artifact.coordinate}: check Maven's network settings "
                f"(~/.m2/settings.xml) and retry `make setup`"
            )
        fetched.replace(target)  # atomic: a half-downloaded jar never carries the final name
        shutil.rmtree(partial, ignore_errors=True)
        print(f"fetched {artifact.coordinate}", flush=True)
    return jar_paths(folder)


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    command = args[0] if args else "fetch"
    try:
        require_java()
        if command == "fetch":
            if shutil.which("mvn") is None:
                print("mvn not found: Spark will resolve the pinned jars itself on first start")
                return 0
            paths = fetch()
            print(f"{len(paths)} Spark jars ready in {paths[0].parent}")
        elif command == "check":
            missing = missing_jars()
            if missing:
                print(f"missing {missing[0].name}: run `make setup`", file=sys.stderr)
                return 1
            print("all Spark jars present")
        else:
            print(f"unknown command {command!r}: use fetch or check", file=sys.stderr)
            return 2
    except MissingJvmDependency as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
