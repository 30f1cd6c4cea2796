"""A registry build on the model page: its lineage (the registered version, the MLflow run that
logged it, the table and snapshot that run was tagged with) and the Test Request box prefilled
with the input example MLflow logged with the model."""

from __future__ import annotations

import html
import json
from pathlib import Path

from lab_server import PRD_FILES, Browserless


def test_a_registry_build_shows_its_version_run_and_snapshot(server, admin, console_project):
    import mlflow
    import pandas as pd

    mlflow.set_tracking_uri(server.env["MLFLOW_TRACKING_URI"])
    mlflow.set_registry_uri(server.env["MLFLOW_TRACKING_URI"])
    if mlflow.get_experiment_by_name("console-lineage") is None:
        mlflow.create_experiment(
            "console-lineage", artifact_location=(server.home / "mlartifacts").as_uri()
        )
    mlflow.set_experiment("console-lineage")
    with mlflow.start_run() as run:
        mlflow.set_tags({"iceberg_table": "fleet.telemetry", "iceberg_snapshot_id": "4242"})
        mlflow.pyfunc.log_model(
            name="model",
            python_model=str(PRD_FILES / "registry_model.py"),
            registered_model_name="lineaged",
            input_example=pd.DataFrame({"speed": [3.0, 4.5]}),
        )
    model = admin.create_model(project_id=console_project.id, name="lineaged")
    build = admin.create_model_build(
        project_id=console_project.id, model_id=model.id, registered_model_version_id="lineaged"
    )
    built = admin.wait_for_build(
        project_id=console_project.id, model_id=model.id, build_id=build.id, timeout=120
    )
    page = Browserless(server, server.admin_key).get(
        f"/projects/{console_project.id}/models/{model.id}"
    )
    lineage = page.text.split('id="lineage"')[1]
    assert "lineaged v1" in lineage
    assert run.info.run_id[:12] in lineage
    assert "fleet.telemetry" in lineage and "4242" in lineage
    logged = json.loads((Path(built.model_uri) / "serving_input_example.json").read_text())
    box = page.text.split('id="test-request"')[1].split(">", 1)[1].split("</textarea>")[0]
    assert json.loads(html.unescape(box)) == logged
    assert logged["dataframe_split"]["data"] == [[3.0], [4.5]]
