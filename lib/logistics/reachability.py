"""Is every service the settings name answering? Asked once at start, before any engine dials.

Why: Spark retries an unreachable master for minutes, and pyiceberg's and the AWS SDK's retries
hide a wrong S3 endpoint behind a long stack trace. A TCP connect to each address, with a short
timeout, turns a wrong or stopped service into one line that names the setting and the address.

Example::

    check_services(settings, spark=True)
    # ServiceUnreachable: SPARK_MASTER spark://127.0.0.1:7077 is unreachable (connection refused)
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

from logistics.settings import LabSettings

CONNECT_TIMEOUT_S = 3.0
DEFAULT_PORTS = {"http": 80, "https": 443, "postgresql": 5432, "postgres": 5432, "spark": 7077}


class ServiceUnreachable(ConnectionError):
    """A service a setting names does not accept connections; the message names both."""


def addresses(url: str) -> list[tuple[str, int]]:
    """``(host, port)`` of a URL; several for ``spark://h1:p1,h2:p2`` (standby masters)."""
    scheme, rest = url.split("://", 1)
    base = scheme.split("+", 1)[0]
    found = []
    for part in urlsplit(f"{base}://{rest}").netloc.rsplit("@", 1)[-1].split(","):
        host, _, port = part.rpartition(":") if ":" in part else (part, "", "")
        found.append((host.strip("[]"), int(port) if port else DEFAULT_PORTS.get(base, 80)))
    return found


def _refusal(host: str, port: int) -> str | None:
    """Why ``host:port`` takes no connection, or None when it does."""
    try:
        with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S):
            return None
    except TimeoutError:
        return f"no answer within {CONNECT_TIMEOUT_S:.0f} s"
    except ConnectionRefusedError:
        return "connection refused"
    except OSError as exc:
        return exc.strerror or type(exc).__name__


def services(settings: LabSettings, *, spark: bool) -> list[tuple[str, str]]:
    """``(setting, url)`` of every network service the settings use."""
    named: list[tuple[str, str]] = []
    if spark and settings.spark_master.startswith("spark://"):
        named.append(("SPARK_MASTER", settings.spark_master))
    uri = settings.catalog_uri
    if uri and "://" in uri and not uri.startswith("sqlite"):
        named.append(("LAB_CATALOG_URI", uri))
    if settings.s3_endpoint:
        named.append(("LAB_S3_ENDPOINT", settings.s3_endpoint))
    return named


def without_password(url: str) -> str:
    """The URL as it may be printed: user and password replaced by ``***``."""
    scheme, rest = url.split("://", 1)
    return f"{scheme}://***@{rest.split('@', 1)[1]}" if "@" in rest.split("/", 1)[0] else url


def check_services(settings: LabSettings, *, spark: bool) -> None:
    """Raise ``ServiceUnreachable`` for the first service none of whose addresses connects."""
    for setting, url in services(settings, spark=spark):
        reasons = [_refusal(host, port) for host, port in addresses(url)]
        if all(reasons):
            shown = without_password(url)
            raise ServiceUnreachable(f"{setting} {shown} is unreachable ({reasons[0]})")
