"""Which environment variables a user may give a deployment, checked where the request arrives.

Why at the API: a value the kernel cannot pass (a NUL byte) or a name the platform itself sets
used to reach the serving backend, where starting the replica failed far from the request that
caused it; refused here, the request answers 400 naming the variable and nothing is created.

Why these names are reserved: the workspace sets them in every replica (its API, its key, the
replica's own port, build and secret, the model's CRNs) or the interpreter and the dynamic loader
read them before any model code runs (``PYTHON*``, ``LD_*``); a deployment that set them could
point a replica at another key, another interface or another library.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

RESERVED_PREFIXES = ("CDSW_", "LAB_REPLICA_", "LAB_MODEL_", "LD_", "PYTHON")
"""Whole families the platform or the interpreter owns."""

RESERVED_NAMES = frozenset(
    {
        "LAB_API_KEY",
        "LAB_API_URL",
        "LAB_DATABASE_URL",
        "LAB_HOME",
        "LAB_HOST",
        "LAB_PORT",
        "LAB_PROJECT_ID",
        "LAB_RUN_AS_USER",
        "PROJECT_OWNER",
    }
)
"""Single ``LAB_*`` names the workspace sets or reads about itself; other ``LAB_*`` names (a
model's ``LAB_SNAPSHOT_ID``) stay the user's."""

MAX_NAME_CHARS = 256


def reserved(name: str) -> bool:
    """True for a name the platform sets in a replica (see the module docstring)."""
    return name in RESERVED_NAMES or name.startswith(RESERVED_PREFIXES)


def check_deployment_environment(env: Mapping[str, Any]) -> dict[str, str]:
    """``env`` when every name and value can reach a replica unchanged; else ``ValueError``
    naming the first variable that cannot, and why."""
    for name, value in env.items():
        if not name:
            raise ValueError("a variable name is empty")
        if "=" in name or "\0" in name or len(name) > MAX_NAME_CHARS:
            raise ValueError(f"variable name {name!r} is not a valid name")
        if not isinstance(value, str):
            raise ValueError(f"variable {name} must be a string, not {type(value).__name__}")
        if "\0" in value:
            raise ValueError(f"variable {name} holds a NUL byte")
        if reserved(name):
            raise ValueError(f"variable {name} is set by the platform and cannot be overridden")
    return dict(env)
