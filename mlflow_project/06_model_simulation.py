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
from logistics.script_args import (
    LabArgumentParser,
    add_classifier_flags,
    add_concurrency_flag,
    parse_script_args,
    positive_int,
)

parser = LabArgumentParser(
    description="Send classifier requests, then report delayed ground truth."
)
add_classifier_flags(parser, model_help="served model name")
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
add_concurrency_flag(parser, default=4)
args = parse_script_args(parser)

# %%
from logistics.ground_truth import accuracy_windows, labelled_predictions
from logistics.payloads import TelemetrySample, labelled_classifier_requests
from logistics.script_args import exit_on_user_error
from workspace.client import WorkspaceClient, WorkspaceError
from workspace.endpoints import endpoint_load_plan, serving_endpoint
from workspace.load import run_with_progress

with exit_on_user_error(WorkspaceError):
    client = WorkspaceClient()
    served = serving_endpoint(client, args.project, args.model_name)
    requests, labels = labelled_classifier_requests(
        TelemetrySample.load(table="iot_fleet", devices=10),
        args.count,
        drift_after=args.drift_after,
        shift=args.shift,
    )
plan = endpoint_load_plan(client, served, requests, concurrency=args.concurrency, count=args.count)
result = run_with_progress(plan, f"{args.model_name} requests")
print(result.summary.format())

# %%
labelled = labelled_predictions(result.records, labels, requests)
for prediction in labelled:
    client.track_delayed_metrics(prediction.delayed_metrics(), prediction_uuid=prediction.uuid)
for window in accuracy_windows(labelled, args.window):
    client.track_aggregate_metrics(
        window.aggregate_metrics(),
        start_timestamp_ms=window.start_ms,
        end_timestamp_ms=window.end_ms,
        model_deployment_crn=served.deployment.crn,
    )
    print(window.format())
if result.summary.failed:
    raise SystemExit(1)
