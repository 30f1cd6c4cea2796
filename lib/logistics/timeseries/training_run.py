"""One training run end to end: pick the snapshot, train on Spark, score, plot, log to MLflow.

Why here and not in the script: tests run the same function the job runs; the script only reads
its flags and prints what this returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from pyiceberg.expressions import EqualTo

from logistics.lakehouse import read_arrow
from logistics.prd_models import TIME_SERIES_EXPERIMENT
from logistics.settings import get_settings
from logistics.snapshots import log_lineage, snapshot_info
from logistics.telemetry_schema import series_columns
from logistics.timeseries.device_models import TrainingParams
from logistics.timeseries.evaluation import motif_hit_rate, score_discords, score_motifs
from logistics.timeseries.fleet_training import OUTPUT_TABLES, FleetModels, train_fleet
from logistics.timeseries.plots import plot_device
from logistics.timeseries.similarity import SimilarityParams

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

EXPERIMENT = TIME_SERIES_EXPERIMENT


@dataclass(frozen=True)
class TrainingReport:
    models: FleetModels
    metrics: dict[str, float]
    run_id: str
    plot: Path
    tables: dict[str, str] = field(default_factory=dict)


def events_covered(events: pd.DataFrame, snapshot_id: int) -> pd.DataFrame:
    """The injected events that start within the telemetry of ``snapshot_id`` (per device, up to
    its last reading). Why: events of a later append are not the earlier data's to find, so a
    retrain at an old snapshot scores as it did when that snapshot was the latest."""
    readings = read_arrow(
        "fleet_telemetry", snapshot_id=snapshot_id, columns=("device_id", "event_ts")
    ).to_pandas()
    last = readings.groupby("device_id")["event_ts"].max().rename("last_ts").reset_index()
    covered = events.merge(last, on="device_id", how="inner")
    return covered[covered["start_ts"] <= covered["last_ts"]].drop(columns="last_ts")


def train_and_log(
    spark: SparkSession,
    *,
    snapshot_id: int | None = None,
    events_snapshot_id: int | None = None,
    params: TrainingParams | None = None,
    similarity: SimilarityParams | None = None,
    k: int | None = None,
) -> TrainingReport:
    """Train at a telemetry snapshot, score against ``injected_events``, log an MLflow run.

    The same ``snapshot_id`` learns and scores the same, whatever was appended since: only the
    injected events that snapshot's telemetry covers are scored (``events_covered``).
    """
    import mlflow

    from logistics.tracking import use_experiment

    params = params or TrainingParams()
    similarity = similarity or SimilarityParams()
    lineage = snapshot_info("fleet_telemetry", snapshot_id)
    snapshot_id = lineage.snapshot_id
    models = train_fleet(spark, snapshot_id, params, similarity)
    events = events_covered(
        read_arrow("injected_events", snapshot_id=events_snapshot_id).to_pandas(), snapshot_id
    )
    score = score_discords(models.discords, events, k)
    motifs = models.motifs[models.motifs.kind == "motif"]
    metrics = {
        "precision": score.precision,
        "recall": score.recall,
        "precision_at_k": score.precision,
        "k": float(score.k),
        **score_motifs(motifs, events).as_metrics(),
        "motif_hit_rate": motif_hit_rate(motifs, events),
        "multi_dim_motif_hit_rate": motif_hit_rate(
            models.motifs[models.motifs.kind == "multi_dim_motif"], events
        ),
        "devices": float(models.devices),
        "training_seconds": models.seconds,
    }
    device = models.discords["device_id"].min() if not models.discords.empty else None
    plot_path = get_settings().reports_dir / f"timeseries_models_{snapshot_id}.png"
    if device is not None:
        telemetry = read_arrow(
            "fleet_telemetry",
            snapshot_id=snapshot_id,
            row_filter=EqualTo("device_id", str(device)),
            columns=series_columns(params.signals),
        ).to_pandas().sort_values("event_ts")  # fmt: skip
        plot_device(telemetry, models.motifs, models.discords, events, plot_path, params.signals)
    use_experiment(EXPERIMENT)
    with mlflow.start_run(run_name=f"stumpy-fleet-{snapshot_id}") as run:
        log_lineage(lineage)
        mlflow.set_tag("model", "stumpy")
        mlflow.log_params(
            {**params.as_params(), **{f"similarity_{k}": v for k, v in vars(similarity).items()}}
        )
        mlflow.log_param("snapshot_id", snapshot_id)
        mlflow.log_metrics(metrics)
        if plot_path.exists():
            mlflow.log_artifact(str(plot_path), artifact_path="plots")
    settings = get_settings()
    tables = {name: settings.table(name) for name in OUTPUT_TABLES}
    return TrainingReport(models, metrics, run.info.run_id, plot_path, tables)
