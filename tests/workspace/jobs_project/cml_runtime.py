"""A job written for CML: the CDSW_* variables, cmlapi's way to the API, and ``cdsw`` calls.

Arguments: a deployed model's access key and CRN.
"""

import json
import os
import sys

import cdsw
from workspace.client import WorkspaceClient

access_key, model_crn = sys.argv[1:3]
cml_names = [k for k in os.environ if k.startswith("CDSW_") or k == "PROJECT_OWNER"]
# as cmlapi.default_client() finds the API: CDSW_API_URL without its v1 path, and the v2 key
client = WorkspaceClient(
    os.environ["CDSW_API_URL"].replace("/api/v1", ""), os.environ["CDSW_APIV2_KEY"]
)
answer = cdsw.call_model(access_key, {"pattern": [54, 53, 52, 51]})
rows = cdsw.read_metrics(model_crn=model_crn)["metrics"]
report = {
    "env": {k: os.environ[k] for k in cml_names if k != "CDSW_APIV2_KEY"},
    "own_key": os.environ["CDSW_APIV2_KEY"] == os.environ["LAB_API_KEY"],
    "project_via_cdsw_api_url": client.get_project(project_id=os.environ["CDSW_PROJECT_ID"]).name,
    "answer": answer,
    "tracked": [r["metrics"] for r in rows if r["predictionUuid"] == answer["response"]["uuid"]],
}
print("REPORT " + json.dumps(report))
