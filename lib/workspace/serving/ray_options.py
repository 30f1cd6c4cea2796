"""What a deployment becomes in Ray Serve's terms: replica count and actor options.

Why apart from the backend: these are pure mappings from our ``DeploymentSpec`` (CML's cpu,
memory, replicas and replication policy) to Serve's options, readable and testable alone.
"""

from __future__ import annotations

from typing import Any

from workspace.processes.environment import with_lab_on_path
from workspace.serving.backend import DeploymentSpec
from workspace.serving.ray_head import RAY_LOOPBACK_ENV


def replica_count(spec: DeploymentSpec) -> dict[str, Any]:
    """``num_replicas``: the count the workspace runs now, for an autoscaling policy too.

    Why never Serve's ``autoscaling_config``: the workspace evaluates the policy (its targets
    are the endpoint's p95 and the router's requests in flight, which Serve does not see) and
    scales through ``scale`` on both backends; a second controller on the same count would undo
    the first one's decisions."""
    return {"num_replicas": spec.replicas}


def actor_options(spec: DeploymentSpec) -> dict[str, Any]:
    """cpu and memory as Ray reservations, and the deployment's environment for its workers
    (with this lab's ``lib/`` first on PYTHONPATH, so a worker imports the same replica code).

    A build with its own environment (its ``requirements.txt`` or ``cdsw-build.sh``) runs its
    workers with that environment's interpreter (``py_executable``), as a local replica does;
    the environment layers over the lab's packages, so Ray and the replica code import there
    too. It is a path on this machine's disk: a Ray cluster spanning machines needs the build
    folders and envs on a shared filesystem (README, "Run it on a team cluster")."""
    env = {k: v for k, v in spec.environment.items() if not k.startswith("RAY_")}
    runtime_env: dict[str, Any] = {"env_vars": with_lab_on_path({**env, **RAY_LOOPBACK_ENV})}
    if spec.python:
        runtime_env["py_executable"] = spec.python
    return {
        "num_cpus": spec.cpu,
        "memory": int(spec.memory_gb * 1024**3),
        "runtime_env": runtime_env,
    }


def fits(required: dict[str, float], node: dict[str, float]) -> bool:
    return all(node.get(name, 0.0) >= amount for name, amount in required.items())


def describe_resources(resources: dict[str, float]) -> str:
    shown = []
    for name in ("CPU", "memory", "GPU"):
        if name in resources:
            amount = resources[name]
            memory = name == "memory"
            shown.append(f"{amount / 1024**3:.2f} GB memory" if memory else f"{amount:g} {name}")
    return ", ".join(shown) or "nothing"
