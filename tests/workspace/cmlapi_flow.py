"""DEV 03's flow through ``cmlapi`` as pip installed it: run by test_cmlapi.py inside a fresh
virtual environment, with CML's variables (``CDSW_API_URL``, ``CDSW_APIV2_KEY``) set.
Prints one JSON line of what it saw; any failed check raises."""

from __future__ import annotations

import json
import sys
import time

import cmlapi
from cmlapi.rest import ApiException
from cmlapi.utils import Cursor

client = cmlapi.default_client()
files = sys.argv[1]

project = client.create_project(
    {"name": "cmlapi-flow", "template": "local", "local_path": files}  # body first
)
blank = client.create_project(cmlapi.CreateProjectRequest(name="cmlapi-blank", template="blank"))
owned = client.list_projects(search_filter=json.dumps({"owner.username": "admin"}))
names = {p["name"] for p in owned.to_dict()["projects"]}
assert {"cmlapi-flow", "cmlapi-blank"} <= names, names
assert owned.projects[0].owner.username == "admin"
assert project.owner.username == "admin"

pid = project.id
model = client.create_model(cmlapi.CreateModelRequest(name="echo", project_id=pid), pid)
build = client.create_model_build(
    cmlapi.CreateModelBuildRequest(
        project_id=pid, model_id=model.id, file_path="models.py", function_name="echo"
    ),
    pid,
    model.id,
)
deployment = client.create_model_deployment(  # right away, as CML's notebooks do
    {"project_id": pid, "model_id": model.id, "build_id": build.id, "cpu": 0.5, "memory": 0.5},
    pid,
    model.id,
    build.id,
)
deadline = time.monotonic() + 90
while True:
    seen = client.get_model_deployment(pid, model.id, build.id, deployment.id)
    if seen.status == "deployed":
        break
    assert seen.status not in ("failed", "stopped"), seen
    assert time.monotonic() < deadline, seen
    time.sleep(0.5)

last = client.list_model_builds(pid, model.id).model_builds[-1]
assert last.id == build.id and last.to_dict()["function_name"] == "echo"

thread = client.list_models(pid, async_req=True)
assert [m.id for m in thread.get().models] == [model.id]

try:
    client.get_model(pid, "no-such-model")
    raise AssertionError("a missing model answered")
except ApiException as error:
    missing = {"status": error.status, "body": json.loads(error.body)}

paged = [p.id for p in Cursor(client.list_projects, page_size=1).items()]
assert len(paged) == len(set(paged)) >= 2 and blank.id in paged, paged

print(
    json.dumps(
        {
            "module": cmlapi.__file__,
            "deployment": seen.to_dict(),
            "missing": missing,
            "paged": paged,
        }
    )
)
