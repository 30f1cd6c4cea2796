"""MLflow 05: retrain, register the new run as the next version of the same registered model,
build it on the Workbench runtime ``list_runtimes`` finds, deploy it and stop the deployment it
replaces (what the upstream script means to do)."""

import os

import cdsw
import cml_record
import cmlapi
import mlflow
from api_utility import ApiUtility

username = os.environ["PROJECT_OWNER"]
project_id = os.environ["CDSW_PROJECT_ID"]
client = cmlapi.default_client()
api = ApiUtility(project_id)
before = api.get_latest_deployment_details(f"IOTFailureClf-{username}")

runtimes = client.list_runtimes(
    search_filter={"kernel": "Python", "edition": "Standard", "editor": "Workbench"},
    page_size=1000,
)
runtime = runtimes.runtimes[-1].image_identifier

experiment = mlflow.set_experiment(f"xgb-iot-fail-{username}")
with mlflow.start_run() as run:
    mlflow.log_param("accuracy", 0.95)
    mlflow.pyfunc.log_model(name="artifacts", python_model="iot_classifier.py")
registered = client.create_registered_model(
    {
        "project_id": project_id,
        "experiment_id": experiment.experiment_id,
        "run_id": run.info.run_id,
        "model_name": f"IOTFailureClf-{username}",
        "model_path": "artifacts",
    }
)
newest = registered.model_versions[0]

model_id = before["model_id"]
build = client.create_model_build(
    {
        "registered_model_version_id": newest.model_version_id,
        "runtime_identifier": runtime,
        "comment": "retrained",
        "model_id": model_id,
    },
    project_id,
    model_id,
)
deployment = client.create_model_deployment(
    {"cpu": "0.25", "memory": "0.5"}, project_id, model_id, build.id
)
api.wait_for_deployment(model_id, build.id, deployment.id)
old = client.stop_model_deployment(
    project_id, model_id, before["latest_build_id"], before["latest_deployment_id"]
)
after = api.get_latest_deployment_details(f"IOTFailureClf-{username}")
answer = cdsw.call_model(
    before["model_access_key"],
    {
        "dataframe_records": [
            {"iot_signal_1": 1, "iot_signal_2": 5, "iot_signal_3": 50, "iot_signal_4": 100}
        ]
    },
)
cml_record.verdict(
    runtime=runtime,
    versions=[v.number for v in registered.model_versions],
    new_version=newest.model_version_id,
    latest_build_is_new=after["latest_build_id"] == build.id,
    old_status=old.status,
    answer=answer,
    fetched=client.get_registered_model(registered.model_id).count,
)
