"""A Spark standalone cluster from the pyspark wheel: one master, one worker, on 127.0.0.1.

Why ``spark-class``: the wheel ships the jars and ``bin/spark-class`` but not ``sbin/``'s start
scripts, which would also daemonize (then no PID of ours to stop).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import requests

from localcluster.process import ComponentProcess, MissingComponent, free_port


def spark_home() -> Path:
    try:
        import pyspark
    except ImportError as exc:
        raise MissingComponent("pyspark is not installed: run `make setup`") from exc
    return Path(pyspark.__file__).resolve().parent


@dataclass
class SparkStandalone:
    """``spark://127.0.0.1:<port>`` with one worker offering ``cores`` and ``memory``."""

    folder: Path
    port: int
    webui_port: int
    processes: list[ComponentProcess] = field(default_factory=list)

    @property
    def master_url(self) -> str:
        return f"spark://127.0.0.1:{self.port}"

    @property
    def status_url(self) -> str:
        """The master's JSON status: alive workers, running and completed applications."""
        return f"http://127.0.0.1:{self.webui_port}/json/"

    @classmethod
    def start(
        cls,
        parent: Path | None = None,
        *,
        cores: int = 2,
        memory: str = "2g",
        env: Mapping[str, str] | None = None,
        timeout: float = 60,
    ) -> SparkStandalone:
        """``env`` reaches the worker and so its executors (PYTHONPATH, PYSPARK_PYTHON)."""
        folder = Path(tempfile.mkdtemp(prefix="lab-spark-", dir=parent))
        cluster = cls(folder, free_port(), free_port())
        home = spark_home()
        daemon_env = {
            **(env if env is not None else os.environ),
            "SPARK_HOME": str(home),
            "SPARK_LOCAL_IP": "127.0.0.1",
            "SPARK_DAEMON_MEMORY": "256m",
            "SPARK_LOG_DIR": str(folder),
            "SPARK_CONF_DIR": str(folder),
        }
        # Spark's own way to give every session on this machine the settings that fit here.
        (folder / "spark-defaults.conf").write_text(
            "".join(f"{key} {value}\n" for key, value in cls.session_settings().items())
        )
        spark_class = str(home / "bin" / "spark-class")
        try:
            cluster.processes.append(
                ComponentProcess.start(
                    "Spark master",
                    [
                        spark_class,
                        "org.apache.spark.deploy.master.Master",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(cluster.port),
                        "--webui-port",
                        str(cluster.webui_port),
                    ],
                    log=folder / "master.log",
                    env=daemon_env,
                    ready=lambda: requests.get(cluster.status_url, timeout=1).ok,
                    timeout=timeout,
                )
            )
            (folder / "work").mkdir()
            cluster.processes.append(
                ComponentProcess.start(
                    "Spark worker",
                    [
                        spark_class,
                        "org.apache.spark.deploy.worker.Worker",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(free_port()),
                        "--webui-port",
                        str(free_port()),
                        "--cores",
                        str(cores),
                        "--memory",
                        memory,
                        "--work-dir",
                        str(folder / "work"),
                        cluster.master_url,
                    ],
                    log=folder / "worker.log",
                    env=daemon_env,
                    ready=lambda: cluster.status()["aliveworkers"] >= 1,
                    timeout=timeout,
                )
            )
        except BaseException:
            cluster.stop()
            raise
        return cluster

    def status(self) -> dict:
        return requests.get(self.status_url, timeout=2).json()

    def application_names(self) -> list[str]:
        """Names of the applications that ran or run here: proof a job used this cluster."""
        status = self.status()
        return [app["name"] for app in status["activeapps"] + status["completedapps"]]

    @staticmethod
    def session_settings() -> dict[str, str]:
        """Spark settings that fit a two-core machine: one two-core executor of 1 GB (one JVM
        less than two one-core executors, which is most of an application's start here)."""
        return {
            "spark.driver.host": "127.0.0.1",
            "spark.driver.bindAddress": "127.0.0.1",
            "spark.driver.memory": "1g",
            "spark.executor.memory": "1g",
            "spark.executor.cores": "2",
            "spark.cores.max": "2",
            "spark.ui.enabled": "false",
        }

    def settings(self) -> dict[str, str]:
        """The lab's settings for this cluster; SPARK_CONF_DIR holds ``session_settings``."""
        return {
            "SPARK_MASTER": self.master_url,
            "SPARK_CONF_DIR": str(self.folder),
            "LAB_SPARK_DRIVER_MEMORY": "1g",
        }

    def stop(self) -> None:
        for process in reversed(self.processes):  # the worker first: it stops its executors
            process.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> SparkStandalone:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
