"""DEV 03: create the PRD project from git, find it by its owner, create the TimeSeriesQuery
model, build it on a CML runtime and deploy it at once, without waiting for the build.

Argument: the PRD project's git URL. ``PROJECT_USER`` is a project environment variable, as in
the lab's setup.
"""

import json
import os
import sys
import time
from datetime import date

import cdsw
import cml_record
import cmlapi
from api_utility import ApiUtility

RUNTIME = (
    "docker.repository.cloudera.com/cloudera/cdsw/"
    "ml-runtime-jupyterlab-python3.9-standard:2024.02.1-b4"
)


class ModelDeployment:
    """The notebook's steps, one method each."""

    def __init__(self, username):
        self.client = cmlapi.default_client()
        self.username = username

    def create_prd_project(self, git_url):
        body = {
            "name": f"CML MLOps Logistics PRD - {self.username}",
            "template": "git",
            "git_url": git_url,
            "environment": {"PROJECT_USER": self.username},
        }
        return self.client.create_project(body)

    def wait_until_created(self, project_id, timeout=120):
        """A notebook's cells give the clone time; a script asks."""
        deadline = time.monotonic() + timeout
        while self.client.get_project(project_id).creation_status != "success":
            assert time.monotonic() < deadline, "the PRD project was not created in time"
            time.sleep(0.2)

    def find_project(self, name):
        search = json.dumps({"owner.username": self.username, "name": name})
        return self.client.list_projects(search_filter=search)

    def create_model(self, project_id, name):
        body = {
            "project_id": project_id,
            "name": name,
            "description": "My Model",
            "disable_authentication": True,
        }
        return self.client.create_model(body, project_id)

    def create_model_build(self, project_id, model_id, file_path, function_name):
        body = {
            "runtime_identifier": RUNTIME,
            "model_id": model_id,
            "file_path": file_path,
            "function_name": function_name,
        }
        return self.client.create_model_build(body, project_id, model_id)

    def create_model_deployment(self, project_id, model_id, build_id):
        body = {
            "build_id": build_id,
            "model_id": model_id,
            "project_id": project_id,
            "cpu": 0.25,
            "memory": 0.5,
            "replicas": 1,
            "nvidia_gpus": 0,
        }
        return self.client.create_model_deployment(body, project_id, model_id, build_id)


username = os.environ["PROJECT_USER"]
steps = ModelDeployment(username)
created = steps.create_prd_project(sys.argv[1])
steps.wait_until_created(created.id)
listing = steps.find_project(created.name)
project_id = listing.to_dict()["projects"][0]["id"]
assert project_id == created.id, listing

model = steps.create_model(project_id, f"TimeSeriesQuery-{username}-{date.today()}")
runtimes = steps.client.list_runtimes(  # a dict, as the notebook passes it
    search_filter={"kernel": "Python", "edition": "Standard"}
)
build = steps.create_model_build(project_id, model.id, "ts_models.py", "predict")
deployment = steps.create_model_deployment(project_id, model.id, build.id)  # no wait, as DEV 03

served = ApiUtility(project_id).wait_for_deployment(model.id, build.id, deployment.id)
answer = cdsw.call_model(model.access_key, {"pattern": [54, 53, 52, 51]})
cml_record.verdict(
    project_id=project_id,
    creation_status_at_create=created.creation_status,
    model_name=model.name,
    runtimes=len(runtimes.runtimes),
    build_status_at_deploy=build.status,
    deployment_status_at_create=deployment.status,
    deployment=served.to_dict(),
    answer=answer,
)
