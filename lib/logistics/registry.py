"""Promotion by alias in the MLflow registry (``champion`` serves, ``challenger`` waits).

Why aliases: deployment follows an alias instead of copying models, and rollback is moving the
alias back to an earlier version.
"""

from __future__ import annotations

from typing import Any

CHAMPION = "champion"
CHALLENGER = "challenger"


def register(model_uri: str, name: str, alias: str, *, description: str = "") -> int:
    """Register ``model_uri`` as a new version of ``name`` and point ``alias`` at it."""
    import mlflow
    from mlflow import MlflowClient

    version = mlflow.register_model(model_uri, name)
    client = MlflowClient()
    if description:
        client.update_model_version(name, version.version, description=description)
    client.set_registered_model_alias(name, alias, version.version)
    return int(version.version)


def move_alias(name: str, alias: str, version: int) -> None:
    from mlflow import MlflowClient

    MlflowClient().set_registered_model_alias(name, alias, str(version))


def alias_version(name: str, alias: str) -> int | None:
    """The version an alias points at, or None when the model or alias does not exist."""
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    try:
        return int(MlflowClient().get_model_version_by_alias(name, alias).version)
    except MlflowException:
        return None


def load_alias(name: str, alias: str) -> Any:
    """The native model object (an ``XGBClassifier``) behind ``models:/name@alias``."""
    import mlflow

    return mlflow.xgboost.load_model(f"models:/{name}@{alias}")
