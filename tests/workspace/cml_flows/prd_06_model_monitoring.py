"""PRD 06: the TimeSeriesQuery deployment's tracked metrics through ``cdsw.read_metrics``, and the
processing time of each prediction from its start and end timestamps."""

import os
from datetime import date

import cdsw
import cml_record
from api_utility import ApiUtility

username = os.environ["PROJECT_USER"]
details = ApiUtility(os.environ["CDSW_PROJECT_ID"]).get_latest_deployment_details(
    f"TimeSeriesQuery-{username}-{date.today()}"
)
model_metrics = cdsw.read_metrics(
    model_crn=details["model_crn"], model_deployment_crn=details["latest_deployment_crn"]
)
rows = model_metrics["metrics"]
processing_ms = [row["endTimeStampMs"] - row["startTimeStampMs"] for row in rows]
cml_record.verdict(
    rows=len(rows),
    with_input=sum("input_data" in row["metrics"] for row in rows),
    with_neighbor=sum("nearest_neighbor" in row["metrics"] for row in rows),
    non_negative_times=all(ms >= 0 for ms in processing_ms),
)
