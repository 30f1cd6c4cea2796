"""The PRD project's file-built models: what each one is and which entry point serves it.

Why data here and not in the deployment steps: dev/03 and dev/04 release two models the same way;
what differs (name, description, entry point, the Iceberg snapshot it serves from) is the model's
own description, so each step names its model and wires flags to the release.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

TIME_SERIES_EXPERIMENT = "time-series-models"
"""The MLflow experiment of dev/02's runs, which both PRD models trace back to."""
PRD_PROJECT = "logistics-prd"
PRD_DESCRIPTION = "Production models of the logistics lab"


@dataclass(frozen=True)
class PrdModel:
    """A model built from a file of the PRD project (``prd/``)."""

    name: str
    description: str
    file_path: str
    function_name: str
    experiment: str = TIME_SERIES_EXPERIMENT

    def training_run(self, snapshot_id: int) -> str | None:
        """The newest run of its experiment trained on ``snapshot_id``; None when none was."""
        from logistics.model_lineage import training_run_at

        return training_run_at(self.experiment, snapshot_id)

    def release_fields(
        self, prd_dir: Path, snapshot_id: int, run_id: str | None = None
    ) -> dict[str, Any]:
        """The project, model and build fields of its release, serving ``snapshot_id`` of
        ``fleet_telemetry`` (the snapshot its replicas read, whatever lands later); ``run_id``
        names the training run at that snapshot, the link a prediction's lineage follows."""
        environment = {"LAB_SNAPSHOT_ID": str(snapshot_id)}
        if run_id:
            environment["MLFLOW_RUN_ID"] = run_id
        return {
            "project_dir": prd_dir,
            "project_description": PRD_DESCRIPTION,
            "model_fields": {"description": self.description},
            "build": {
                "file_path": self.file_path,
                "function_name": self.function_name,
                "kernel": "python3",
            },
            "environment": environment,
        }


TIME_SERIES_QUERY = PrdModel(
    name="TimeSeriesQuery",
    description="Pattern search across the fleet (STUMPY), served from the Iceberg snapshot",
    file_path="ts_query_serve.py",
    function_name="predict",
)
MULTI_DIM_MOTIF = PrdModel(
    name="MultiDimMotif",
    description="Multi-dimensional motifs and discords over the four IoT signals (STUMPY mstump)",
    file_path="ts_multidim_serve.py",
    function_name="multi_dim_motif",
)
