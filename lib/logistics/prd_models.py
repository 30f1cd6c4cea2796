"""The PRD project's file-built models: what each one is and which entry point serves it.

Why data here and not in the deployment steps: dev/03 and dev/04 release two models the same way;
what differs (name, description, entry point, the Iceberg snapshot it serves from) is the model's
own description, so each step names its model and wires flags to the release.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

PRD_PROJECT = "logistics-prd"
PRD_DESCRIPTION = "Production models of the logistics lab"


@dataclass(frozen=True)
class PrdModel:
    """A model built from a file of the PRD project (``prd/``)."""

    name: str
    description: str
    file_path: str
    function_name: str

    def release_fields(self, prd_dir: Path, snapshot_id: int) -> dict[str, Any]:
        """The project, model and build fields of its release, serving ``snapshot_id`` of
        ``fleet_telemetry`` (the snapshot its replicas read, whatever lands later)."""
        return {
            "project_dir": prd_dir,
            "project_description": PRD_DESCRIPTION,
            "model_fields": {"description": self.description},
            "build": {
                "file_path": self.file_path,
                "function_name": self.function_name,
                "kernel": "python3",
            },
            "environment": {"LAB_SNAPSHOT_ID": str(snapshot_id)},
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
