"""MLflow 02: log the IoT failure classifier in an MLflow run, register it through
``create_registered_model``, then create a model from the registered model, build the version
``model_versions[0]`` names and deploy it at once (``cpu`` and ``memory`` as strings, as the
upstream script sends them)."""

import os

import cdsw
import cml_record
import cmlapi
import mlflow
from api_utility import ApiUtility

RUNTIME = (
    "docker.repository.cloudera.com/cloudera/cdsw/"
    "ml-runtime-workbench-python3.9-standard:2024.02.1-b4"
)
REQUEST = {
    "dataframe_split": {
        "columns": ["iot_signal_1", "iot_signal_2", "iot_signal_3", "iot_signal_4"],
        "data": [[35.5, 200.5, 30.5, 14.5]],
    }
}

username = os.environ["PROJECT_OWNER"]
project_id = os.environ["CDSW_PROJECT_ID"]
client = cmlapi.default_client()

experiment = mlflow.set_experiment(f"xgb-iot-fail-{username}")
with mlflow.start_run() as run:
    mlflow.log_param("accuracy", 0.9)
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
registered_model_id = registered.model_id
model_version_id = registered.model_versions[0].model_version_id

model = client.create_model(
    {
        "project_id": project_id,
        "name": f"IOTFailureClf-{username}",
        "description": "Enterprise AI",
        "registered_model_id": registered_model_id,
        "disable_authentication": True,
    },
    project_id,
)
build = client.create_model_build(
    {
        "registered_model_version_id": model_version_id,
        "runtime_identifier": RUNTIME,
        "comment": "invoking model build",
        "model_id": model.id,
    },
    project_id,
    model.id,
)
deployment = client.create_model_deployment(
    {"cpu": "0.25", "memory": "0.5"}, project_id, model.id, build.id
)
served = ApiUtility(project_id).wait_for_deployment(model.id, build.id, deployment.id)
answer = cdsw.call_model(model.access_key, REQUEST)
cml_record.verdict(
    registered=registered.to_dict(),
    model_registered_id=model.registered_model_id,
    build_version=client.get_model_build(
        project_id, model.id, build.id
    ).registered_model_version_id,
    cpu=served.cpu,
    answer=answer,
)
