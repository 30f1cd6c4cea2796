"""PRD 05: simulated requests to both PRD models through ``cdsw.call_model``, each model found by
name with its latest build (``[-1]``) and deployment, as the upstream script does."""

import os
import random
from datetime import date

import cdsw
import cml_record
import cmlapi
from api_utility import ApiUtility

REQUESTS = 20

username = os.environ["PROJECT_USER"]
project_id = os.environ["CDSW_PROJECT_ID"]
client = cmlapi.default_client()
names = sorted(m.name for m in client.list_models(project_id).models)
api = ApiUtility(project_id)

query = api.get_latest_deployment_details(f"TimeSeriesQuery-{username}-{date.today()}")
answered = 0
for i in range(REQUESTS):
    pattern = [random.randint(50, 55) for _ in range(4)]
    answer = cdsw.call_model(query["model_access_key"], {"pattern": pattern})
    prediction = answer["response"]["prediction"]
    answered += answer["success"] and prediction["data"] == {"pattern": pattern}
    if i % 5 == 0:
        print(f"request {i}: {answer['response']}")

motif = api.get_latest_deployment_details(f"MultiDimMotif-{username}-{date.today()}")
motifs = []
for _ in range(3):
    signals = {f"iot_signal_{s}": [random.randint(1, 10) for _ in range(8)] for s in range(1, 5)}
    motifs.append(cdsw.call_model(motif["model_access_key"], signals)["response"])

cml_record.verdict(models=names, requests=REQUESTS, answered=answered, motifs=motifs)
