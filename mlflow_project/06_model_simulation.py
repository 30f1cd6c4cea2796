# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 06 · Simulate traffic, then report the ground truth
# Sends classifier requests drawn from `logistics.iot_fleet` (optionally drifting: a hotter fleet
# after a point), then reports each prediction's true label as a delayed metric on its prediction
# uuid, and the accuracy of every window of predictions as an aggregate metric, as CML's
# `track_delayed_metrics` / `track_aggregate_metrics` do.

# %%
from logistics.cli_support import LabArgumentParser, parse_script_args, positive_int

parser = LabArgumentParser(
    description="Send classifier requests, then report delayed ground truth."
)
parser.add_argument("--project", default="logistics-mlflow", help="workspace project name")
parser.add_argument("--model-name", default="IOTFailureClf", help="served model name")
parser.add_argument("--count", type=positive_int, default=600, help="requests to send")
parser.add_argument(
    "--window", type=positive_int, default=100, help="predictions per accuracy window"
)
parser.add_argument(
    "--drift-after", type=float, default=0.5, help="fraction after which data drifts"
)
parser.add_argument(
    "--shift", type=float, default=1.5, help="added to iot_signal_4 after the drift"
)
parser.add_argument("--concurrency", type=positive_int, default=4, help="closed-loop workers")
args = parse_script_args(parser)

# %%
import numpy as np
from logistics.payloads import TelemetrySample, labelled_classifier_requests
from logistics.telemetry_schema import SIGNALS
from registry_support import fail
from workspace.client import WorkspaceClient, WorkspaceError
from workspace.lifecycle import find_project, serving
from workspace.load import LoadPlan, run_with_progress

try:
    client = WorkspaceClient()
    served = serving(client, find_project(client, args.project).id, args.model_name)
except WorkspaceError as exc:
    fail(str(exc))
requests, labels = labelled_classifier_requests(
    TelemetrySample.load(table="iot_fleet", devices=10),
    args.count,
    drift_after=args.drift_after,
    shift=args.shift,
)
plan = LoadPlan(
    url=f"{client.api_url}/model",
    access_key=served.model.access_key,
    payloads=requests,
    concurrency=args.concurrency,
    count=args.count,
)
result = run_with_progress(plan, f"{args.model_name} requests")
print(result.summary.format())

# %%
correct = []
for record, label in zip(result.records, labels, strict=True):
    if record.error is not None or record.uuid is None:
        continue
    prediction = int(np.ravel(record.response)[0])
    features = requests[record.index]["dataframe_split"]["data"][0]
    client.track_delayed_metrics(
        {
            "final_label": int(label),
            "prediction": prediction,
            "input": dict(zip(SIGNALS, features, strict=True)),
        },
        record.uuid,
    )
    correct.append((record.start_ms, prediction == label))
for start in range(0, len(correct), args.window):
    window = correct[start : start + args.window]
    accuracy = float(np.mean([ok for _, ok in window]))
    client.track_aggregate_metrics(
        {"accuracy": accuracy, "predictions": len(window)},
        start_timestamp_ms=int(window[0][0]),
        end_timestamp_ms=int(window[-1][0]) + 1,
        model_deployment_crn=served.deployment.crn,
    )
    print(
        f"window {start // args.window + 1}: accuracy {accuracy:.3f} over {len(window)} predictions"
    )
if result.summary.failed:
    raise SystemExit(1)
