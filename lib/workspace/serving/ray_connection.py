"""Joining the Ray cluster named by ``LAB_RAY_ADDRESS`` and starting Serve's HTTP proxy on it.

Why a reachability check first: ``ray.init`` towards an address where nothing answers retries for
a long time; a server must instead stop at start with one line naming the setting and address.
"""

from __future__ import annotations

import os
import socket
from typing import Any

from workspace.serving.ray_head import RAY_LOOPBACK_ENV

CONNECT_TIMEOUT_S = 3.0


class RayUnreachable(RuntimeError):
    """``LAB_RAY_ADDRESS`` names no Ray cluster this server can reach."""


def check_reachable(address: str) -> tuple[str, int]:
    """``(host, port)`` of a Ray head's GCS that accepts connections, else ``RayUnreachable``."""
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        raise RayUnreachable(f"LAB_RAY_ADDRESS={address!r} is not host:port of a Ray head")
    try:
        with socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT_S):
            return host, int(port)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise RayUnreachable(
            f"LAB_RAY_ADDRESS={address}: no Ray head answers there ({reason})"
        ) from None


def connect(address: str, *, serve_port: int) -> str:
    """Join the cluster as a driver, start Serve (its proxy on loopback) unless it runs already,
    and answer the proxy's base URL."""
    host, port = check_reachable(address)
    os.environ.update(RAY_LOOPBACK_ENV)  # read by Ray in this process when it joins
    # Never let a Ray call made after a disconnect start a private local cluster instead.
    os.environ["RAY_ENABLE_AUTO_CONNECT"] = "0"
    import ray
    from ray import serve

    if not ray.is_initialized():
        ray.init(
            address=f"{host}:{port}",
            log_to_driver=False,
            logging_level="WARNING",
            configure_logging=False,
        )
    serve.start(http_options={"host": "127.0.0.1", "port": serve_port})
    http = _client().get_serve_details().get("http_options") or {}
    proxy_host = http.get("host") or "127.0.0.1"
    proxy_host = "127.0.0.1" if proxy_host in {"0.0.0.0", "::"} else proxy_host
    return f"http://{proxy_host}:{http.get('port') or serve_port}"


def serve_details() -> dict[str, dict[str, Any]]:
    """Serve's view of every application: status, message and per-replica state, pid, node."""
    return _client().get_serve_details().get("applications") or {}


def _client() -> Any:
    from ray.serve.context import _get_global_client

    return _get_global_client()
