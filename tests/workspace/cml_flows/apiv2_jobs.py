"""Jobs through API v2, as Cloudera's APIv2 notebook drives them: a project updated with the
object read back, a job and a dependent job created, listed, updated and run, and the run polled
through ``list_job_runs`` until ``ENGINE_SUCCEEDED``."""

import json
import os
import time

import cml_record
import cmlapi
from cmlapi.rest import ApiException

client = cmlapi.default_client()
project_id = os.environ["CDSW_PROJECT_ID"]

project = client.get_project(project_id)
project.description = "DEV project of the CML flows"
updated = client.update_project(project, project_id)

job = client.create_job(
    cmlapi.CreateJobRequest(
        name="hello",
        script="hello.py",
        kernel="python3",
        cpu=0.25,
        memory=0.5,
        environment={"GREETING": "hi"},
    ),
    project_id,
)
child = client.create_job(
    {"name": "after hello", "script": "hello.py", "parent_job_id": job.id}, project_id
)
found = client.list_jobs(project_id, search_filter=json.dumps({"name": "hello"}))
job.arguments = "from-apiv2"
job = client.update_job(job, project_id, job.id)

FINISHED = ("ENGINE_SUCCEEDED", "ENGINE_FAILED", "ENGINE_TIMEDOUT", "ENGINE_STOPPED")


def last_run_when_finished(job_id, timeout=120):
    """Polls the job's most recent run until it ends (its dependants start only then)."""
    deadline = time.monotonic() + timeout
    while True:
        runs = client.list_job_runs(project_id, job_id, sort="-created_at", page_size=1).job_runs
        if runs and runs[0].status in FINISHED:
            return runs[0]
        assert time.monotonic() < deadline, runs
        time.sleep(0.2)


run = client.create_job_run(cmlapi.CreateJobRunRequest(), project_id, job.id)
latest = last_run_when_finished(job.id)
child_run = last_run_when_finished(child.id)  # started by the parent's success
everywhere = client.list_all_jobs(search_filter=json.dumps({"name": "after hello"}))
client.delete_job(project_id, child.id)

refused = {}
for name, call in {
    "missing job": lambda: client.get_job(project_id, child.id),
    "unknown search key": lambda: client.list_jobs(project_id, search_filter='{"colour": "red"}'),
}.items():
    try:
        call()
    except ApiException as error:
        refused[name] = error.status

cml_record.verdict(
    description=updated.description,
    found=[j.name for j in found.jobs],
    arguments=job.arguments,
    child_id=child.id,
    child_parent=child.parent_id,
    run_id=run.id,
    status=latest.status,
    child_status=child_run.status,
    in_all_jobs=[j.id for j in everywhere.jobs],
    refused=refused,
)
