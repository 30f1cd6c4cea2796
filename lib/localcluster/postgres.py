"""PostgreSQL from Debian's packages: a throw-away cluster for the workspace database and the
Iceberg JDBC catalog.

Why ``postgres`` in the foreground and not ``pg_ctl``: the postmaster is then our child and its
backends share our process group, so stopping the group stops exactly this cluster. PostgreSQL
refuses to run as root; as root the cluster runs as the ``postgres`` user the package creates.
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from localcluster.process import ComponentProcess, MissingComponent, free_port

USER = "lab"


def pg_program(name: str) -> str:
    """``initdb``/``postgres`` on PATH, else from Debian's versioned folder (newest first)."""
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None
    )
    if found is None:
        raise MissingComponent(
            f"PostgreSQL's {name} not found: install it (apt-get install postgresql-15)"
        )
    return found


def _as_cluster_owner(argv: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


@dataclass
class PostgresServer:
    """One PostgreSQL cluster on 127.0.0.1 with a password-protected superuser ``lab``."""

    folder: Path
    port: int
    password: str
    process: ComponentProcess | None = None
    databases: list[str] = field(default_factory=list)

    @classmethod
    def start(cls, parent: Path | None = None, *, timeout: float = 30) -> PostgresServer:
        # As root the cluster runs as ``postgres``, which cannot enter a private parent of root's.
        folder = Path(tempfile.mkdtemp(prefix="lab-pg-", dir=None if os.geteuid() == 0 else parent))
        server = cls(folder, free_port(), secrets.token_urlsafe(16))
        try:
            server._init()
            server.process = ComponentProcess.start(
                "PostgreSQL",
                _as_cluster_owner(
                    [
                        pg_program("postgres"),
                        "-D",
                        str(folder / "data"),
                        "-p",
                        str(server.port),
                        "-k",
                        str(folder),
                        "-c",
                        "listen_addresses=127.0.0.1",
                        "-c",
                        "fsync=off",
                        "-c",
                        "shared_buffers=32MB",
                    ]
                ),
                log=folder / "postgres.log",
                ready=server._accepts_logins,
                timeout=timeout,
                stop_signal=signal.SIGINT,  # "fast" shutdown: SIGTERM would wait for clients
            )
        except BaseException:
            server.stop()
            raise
        return server

    def _init(self) -> None:
        pwfile = self.folder / "pwfile"
        pwfile.write_text(self.password)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
            shutil.chown(pwfile, "postgres")
        result = subprocess.run(
            _as_cluster_owner(
                [
                    pg_program("initdb"),
                    "-D",
                    str(self.folder / "data"),
                    "-U",
                    USER,
                    f"--pwfile={pwfile}",
                    "--auth=scram-sha-256",
                    "--no-sync",
                ]
            ),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        pwfile.unlink()
        if result.returncode != 0:
            raise MissingComponent(f"initdb failed: {(result.stderr or result.stdout).strip()}")

    def _connect(self, database: str = "postgres"):
        import psycopg2

        return psycopg2.connect(
            host="127.0.0.1",
            port=self.port,
            user=USER,
            password=self.password,
            dbname=database,
            connect_timeout=2,
        )

    def _accepts_logins(self) -> bool:
        self._connect().close()
        return True

    def create_database(self, name: str) -> str:
        """A new empty database; its SQLAlchemy URL."""
        connection = self._connect()
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        connection.close()
        self.databases.append(name)
        return self.url(name)

    def url(self, database: str) -> str:
        """SQLAlchemy URL (psycopg2) of ``database``: what LAB_CATALOG_URI/LAB_DATABASE_URL take."""
        return f"postgresql+psycopg2://{USER}:{self.password}@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
