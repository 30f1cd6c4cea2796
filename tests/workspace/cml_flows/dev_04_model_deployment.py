"""DEV 04: the MultiDimMotif model into the PRD project DEV 03 created, found by owner and name
through ``.to_dict()``; built and deployed at once, as the notebook does."""

import json
import os
from datetime import date

import cdsw
import cml_record
import cmlapi
from api_utility import ApiUtility

RUNTIME = (
    "docker.repository.cloudera.com/cloudera/cdsw/"
    "ml-runtime-jupyterlab-python3.9-standard:2024.02.1-b4"
)

username = os.environ["PROJECT_USER"]
client = cmlapi.default_client()
prd_name = f"CML MLOps Logistics PRD - {username}"
search = json.dumps({"owner.username": username, "name": prd_name})
project_id = client.list_projects(search_filter=search).to_dict()["projects"][0]["id"]

model = client.create_model(
    {
        "project_id": project_id,
        "name": f"MultiDimMotif-{username}-{date.today()}",
        "description": "My Model",
        "disable_authentication": True,
    },
    project_id,
)
build = client.create_model_build(
    {
        "runtime_identifier": RUNTIME,
        "model_id": model.id,
        "file_path": "ts_models.py",
        "function_name": "multi_dim_motif",
    },
    project_id,
    model.id,
)
deployment = client.create_model_deployment(
    {
        "build_id": build.id,
        "model_id": model.id,
        "project_id": project_id,
        "cpu": 0.25,
        "memory": 0.5,
        "replicas": 1,
        "nvidia_gpus": 0,
    },
    project_id,
    model.id,
    build.id,
)
ApiUtility(project_id).wait_for_deployment(model.id, build.id, deployment.id)
signals = {f"iot_signal_{i}": [3, 5, 51 + i, 104] for i in range(1, 5)}
answer = cdsw.call_model(model.access_key, signals)
cml_record.verdict(project_id=project_id, model_name=model.name, answer=answer)
