"""MLflow tracking for the lab's scripts: one place that decides where runs and models go.

Why one resolution: a model a script registers must be the model the workspace builds from. The
workspace's MLflow server (started by ``workspace up`` on 127.0.0.1 at ``LAB_MLFLOW_PORT``) keeps
its store in ``LAB_HOME/mlflow/mlflow.db`` and its artifacts in ``LAB_HOME/mlflow/artifacts``. So a
script uses, in this order:

1. ``MLFLOW_TRACKING_URI`` when set (a job started by the workspace gets it, as does a user who
   points the lab at their own server);
2. the workspace's MLflow server, when it answers its health check within a fraction of a second;
3. otherwise that server's very store, opened directly: the same SQLite file, and experiments
   created with an artifact location in the same artifact folder, so runs and registered models
   logged while the server is down are served by it once it starts.
"""

from __future__ import annotations

import http.client
import os
import urllib.request
from pathlib import Path

from logistics.settings import get_settings

HEALTH_TIMEOUT_S = 0.5


def mlflow_server_url() -> str:
    """Where the workspace's MLflow server answers when it runs."""
    return f"http://127.0.0.1:{get_settings().mlflow_port}"


def server_answers(url: str, timeout: float = HEALTH_TIMEOUT_S) -> bool:
    """True when an MLflow server at ``url`` answers ``/health`` with 200."""
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=timeout) as response:
            return response.status == 200
    except (OSError, http.client.HTTPException):  # refused, timed out, or not an HTTP server
        return False


def local_store() -> Path:
    """The SQLite file the workspace's MLflow server keeps runs and registered models in."""
    return get_settings().mlflow_dir / "mlflow.db"


def artifact_root() -> Path:
    """The folder the workspace's MLflow server keeps artifacts in."""
    return get_settings().mlflow_dir / "artifacts"


def tracking_uri() -> str:
    """The tracking (and registry) URI for this process; see the module docstring for the order."""
    explicit = os.environ.get("MLFLOW_TRACKING_URI")
    if explicit:
        return explicit
    server = mlflow_server_url()
    if server_answers(server):
        return server
    return f"sqlite:///{local_store()}"


def configure_tracking() -> str:
    """Point MLflow tracking and registry at the lab's store; returns the URI."""
    import mlflow

    uri = tracking_uri()
    if uri.startswith("sqlite:///"):
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    return uri


def use_experiment(name: str) -> str:
    """Create (once) and select an experiment; returns its id.

    A server keeps the artifacts of the experiments it creates itself. An experiment created
    straight in a local store gets a folder under the workspace's artifact root, which the
    server (and every client on this machine) reads as a plain path.
    """
    import mlflow

    uri = configure_tracking()
    existing = mlflow.get_experiment_by_name(name)
    if existing is not None:
        if uri.startswith("sqlite:") and existing.artifact_location.startswith("mlflow-artifacts:"):
            raise ValueError(
                f"experiment {name!r} keeps its artifacts on the workspace's MLflow server, "
                f"which does not answer at {mlflow_server_url()}: run `workspace up` first"
            )
        mlflow.set_experiment(experiment_id=existing.experiment_id)
        return existing.experiment_id
    artifact_location = None
    if uri.startswith(("sqlite:", "file:")):
        artifact_location = (artifact_root() / name).as_uri()
    experiment_id = mlflow.create_experiment(name, artifact_location=artifact_location)
    mlflow.set_experiment(experiment_id=experiment_id)
    return experiment_id
