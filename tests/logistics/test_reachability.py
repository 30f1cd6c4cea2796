"""A wrong or stopped team service is one line naming the setting and the address, at start:
before Spark retries a master for minutes or the AWS SDK retries an endpoint."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from localcluster import free_port
from logistics.lakehouse import load_catalog
from logistics.reachability import ServiceUnreachable, check_services, without_password
from logistics.settings import LabSettings

ROOT = Path(__file__).resolve().parents[2]


def test_datagen_names_an_unreachable_spark_master_in_one_line_without_waiting(lab_home):
    port = free_port()
    env = {**os.environ, "SPARK_MASTER": f"spark://127.0.0.1:{port}"}
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, str(ROOT / "dev" / "00_datagen.py"), "--devices", "2", "--days", "1"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"error: SPARK_MASTER spark://127.0.0.1:{port} is unreachable (connection refused)"
    )
    assert time.monotonic() - started < 30  # the interpreter and imports, no JVM retries


@pytest.mark.parametrize(
    ("fields", "setting"),
    [
        (
            {"catalog_uri": "postgresql+psycopg2://lab:s3cret@127.0.0.1:{port}/catalog"},
            "LAB_CATALOG_URI",
        ),
        ({"catalog_type": "rest", "catalog_uri": "http://127.0.0.1:{port}"}, "LAB_CATALOG_URI"),
        (
            {"warehouse": "s3://warehouse/lab", "s3_endpoint": "http://127.0.0.1:{port}"},
            "LAB_S3_ENDPOINT",
        ),
    ],
    ids=["postgresql-catalog", "rest-catalog", "s3-endpoint"],
)
def test_pyiceberg_names_the_unreachable_service_and_never_its_password(fields, setting, lab_home):
    port = free_port()
    settings = LabSettings(**{k: v.format(port=port) for k, v in fields.items()})
    with pytest.raises(ServiceUnreachable) as raised:
        load_catalog(settings)
    message = str(raised.value)
    assert message.startswith(f"{setting} ") and f"127.0.0.1:{port}" in message
    assert message.endswith("is unreachable (connection refused)")
    assert "s3cret" not in message


def test_a_service_that_answers_passes_the_check(lab_home):
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        port = listening.getsockname()[1]
        settings = LabSettings(catalog_type="rest", catalog_uri=f"http://127.0.0.1:{port}")
        check_services(settings, spark=True)


def test_one_reachable_master_of_several_is_enough(lab_home):
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        up = listening.getsockname()[1]
        settings = LabSettings(SPARK_MASTER=f"spark://127.0.0.1:{free_port()},127.0.0.1:{up}")
        check_services(settings, spark=True)


def test_a_printed_url_hides_user_and_password():
    assert without_password("postgresql://lab:pw@db:5432/c") == "postgresql://***@db:5432/c"
    assert without_password("http://127.0.0.1:8181") == "http://127.0.0.1:8181"
