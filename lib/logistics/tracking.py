"""MLflow tracking for the lab: one place that decides where runs and registered models go.

Why: jobs started by the workspace receive ``MLFLOW_TRACKING_URI`` (its MLflow server); a script
run by hand uses that server when it answers, else the same SQLite store and artifact folder under
LAB_HOME the server uses, so runs land in one place either way.
"""

from __future__ import annotations

import os
from pathlib import Path

from logistics.settings import get_settings


def tracking_uri() -> str:
    """``MLFLOW_TRACKING_URI`` when set, else the SQLite store under LAB_HOME."""
    return (
        os.environ.get("MLFLOW_TRACKING_URI")
        or f"sqlite:///{get_settings().lab_home / 'mlflow.db'}"
    )


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
    """Create (once) and select an experiment; local stores keep artifacts under LAB_HOME."""
    import mlflow

    configure_tracking()
    existing = mlflow.get_experiment_by_name(name)
    if existing is not None:
        mlflow.set_experiment(experiment_id=existing.experiment_id)
        return existing.experiment_id
    artifact_location = None
    if tracking_uri().startswith(("sqlite:", "file:")):
        # the same folder the workspace's MLflow server keeps artifacts in
        artifact_location = (get_settings().lab_home / "mlflow" / "artifacts" / name).as_uri()
    experiment_id = mlflow.create_experiment(name, artifact_location=artifact_location)
    mlflow.set_experiment(experiment_id=experiment_id)
    return experiment_id
