"""Which model a training step logged, which Iceberg snapshot a registered model learned from,
and which training run learned from a snapshot.

Why: the registry step registers what training logged last, without a run id passed by hand, and
drift monitoring compares served inputs with exactly the rows the serving model was trained on
(the snapshot id its run carries as a lineage tag), not with whatever the table holds today. A
file-built deployment serving a snapshot names the run trained on it (the workspace's
``MLFLOW_RUN_ID`` variable), so a prediction can be traced back to that run.
"""

from __future__ import annotations

from dataclasses import dataclass

from logistics.tracking import configure_tracking

SNAPSHOT_TAG = "iceberg_snapshot_id"
"""The run tag ``SnapshotInfo.as_tags`` writes the training snapshot under."""


def latest_logged_model(experiment: str) -> str:
    """URI of the newest model logged in ``experiment``; ``ValueError`` says which step to run."""
    import mlflow

    configure_tracking()
    found = mlflow.get_experiment_by_name(experiment)
    if found is None:
        raise ValueError(
            f"no MLflow experiment {experiment!r}: run mlflow_project/01_train_xgboost.py first"
        )
    models = mlflow.search_logged_models(
        experiment_ids=[found.experiment_id],
        max_results=1,
        output_format="list",
        order_by=[{"field_name": "creation_timestamp", "ascending": False}],
    )
    if not models:
        raise ValueError(
            f"experiment {experiment!r} has no logged model: run 01_train_xgboost.py first"
        )
    return models[0].model_uri


@dataclass(frozen=True)
class TrainedOn:
    """A registered model version and the Iceberg snapshot of its training data."""

    name: str
    version: int
    run_id: str
    snapshot_id: int


def trained_on(name: str, alias: str) -> TrainedOn:
    """The version ``name@alias`` points at and the snapshot its training run was tagged with."""
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    configure_tracking()
    client = MlflowClient()
    try:
        version = client.get_model_version_by_alias(name, alias)
    except MlflowException:
        raise ValueError(
            f"no registered model {name}@{alias}: run its registry step first"
        ) from None
    tag = client.get_run(version.run_id).data.tags.get(SNAPSHOT_TAG)
    if tag is None:
        raise ValueError(f"{name} v{version.version} was logged without the {SNAPSHOT_TAG} tag")
    return TrainedOn(name, int(version.version), version.run_id, int(tag))


def training_run_at(experiment: str, snapshot_id: int) -> str | None:
    """The newest run of ``experiment`` tagged as trained on ``snapshot_id``; None when none is."""
    import mlflow

    configure_tracking()
    found = mlflow.get_experiment_by_name(experiment)
    if found is None:
        return None
    runs = mlflow.search_runs(
        experiment_ids=[found.experiment_id],
        filter_string=f"tags.{SNAPSHOT_TAG} = '{int(snapshot_id)}'",
        order_by=["attributes.start_time DESC"],
        max_results=1,
        output_format="list",
    )
    return runs[0].info.run_id if runs else None
