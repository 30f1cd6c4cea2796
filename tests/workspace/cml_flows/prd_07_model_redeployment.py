"""PRD 07: a new build of TimeSeriesQuery on the Workbench runtime, deployed at once with more
replicas; then what the upstream script leaves out: the old deployment stopped, the new one
restarted, and both read back from the listings (``[-1]`` the most recent)."""

import os
from datetime import date

import cdsw
import cml_record
import cmlapi
from api_utility import ApiUtility

RUNTIME = (
    "docker.repository.cloudera.com/cloudera/cdsw/"
    "ml-runtime-workbench-python3.9-standard:2024.02.1-b4"
)

username = os.environ["PROJECT_USER"]
project_id = os.environ["CDSW_PROJECT_ID"]
client = cmlapi.default_client()
api = ApiUtility(project_id)
before = api.get_latest_deployment_details(f"TimeSeriesQuery-{username}-{date.today()}")
model_id = before["model_id"]

build = client.create_model_build(
    {
        "runtime_identifier": RUNTIME,
        "model_id": model_id,
        "comment": "more resources",
        "file_path": "ts_models.py",
        "function_name": "predict",
    },
    project_id,
    model_id,
)
deployment = client.create_model_deployment(
    {"cpu": 0.25, "memory": 0.5, "replicas": 2, "nvidia_gpus": 0}, project_id, model_id, build.id
)
api.wait_for_deployment(model_id, build.id, deployment.id)
after = api.get_latest_deployment_details(f"TimeSeriesQuery-{username}-{date.today()}")

old = client.stop_model_deployment(
    project_id, model_id, before["latest_build_id"], before["latest_deployment_id"]
)
restarted = client.restart_model_deployment(project_id, model_id, build.id, deployment.id)
served = api.wait_for_deployment(model_id, build.id, deployment.id)
answer = cdsw.call_model(before["model_access_key"], {"pattern": [52, 53, 52, 51]})
builds = client.list_model_builds(project_id, model_id).model_builds
cml_record.verdict(
    latest_build_is_new=after["latest_build_id"] == build.id == builds[-1].id,
    latest_deployment_is_new=after["latest_deployment_id"] == deployment.id,
    old_status=old.status,
    restarted_status=restarted.status,
    replicas=served.replicas,
    answer=answer,
)
