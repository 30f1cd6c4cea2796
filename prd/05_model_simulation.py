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
# # 05 · Model simulation
# Sends realistic requests to a deployed model (patterns cut from the fleet's own series, or
# windows of the four signals), open-loop at a target rate or closed-loop at a concurrency, for a
# duration or a count. Every request is recorded (uuid, start, latency, status, replica) and the
# run ends with a load-test summary; results are saved under LAB_HOME/reports/simulation.

# %%
from logistics.script_args import (
    LabArgumentParser,
    add_concurrency_flag,
    add_model_flags,
    parse_script_args,
    positive_int,
)

parser = LabArgumentParser(description="Simulate load on a deployed model endpoint.")
add_model_flags(parser, project="logistics-prd", model="TimeSeriesQuery")
parser.add_argument(
    "--payload",
    choices=["pattern", "window", "classifier"],
    default=None,
    help="request kind (default: from the model name)",
)
parser.add_argument("--rate", type=float, default=None, help="open-loop requests/s")
add_concurrency_flag(parser, default=8)
parser.add_argument(
    "--count", type=positive_int, default=None, help="stop after this many requests"
)
parser.add_argument("--duration", type=float, default=20.0, help="stop after this many seconds")
parser.add_argument(
    "--max-error-rate", type=float, default=0.0, help="exit 1 above this error rate"
)
args = parse_script_args(parser)

# %%
from logistics.model_requests import load_requests
from logistics.report_folders import run_report_dir
from logistics.script_args import exit_on_user_error, fail
from workspace.client import WorkspaceClient, WorkspaceError
from workspace.endpoints import endpoint_load_plan, serving_endpoint
from workspace.load import run_with_progress, save_result

with exit_on_user_error(WorkspaceError):
    client = WorkspaceClient()
    served = serving_endpoint(client, args.project, args.model)
    payloads = load_requests(args.payload, args.model, n=500)
plan = endpoint_load_plan(
    client,
    served,
    payloads,
    concurrency=args.concurrency,
    rate=args.rate,
    count=args.count,
    duration_s=None if args.count else args.duration,
)
result = run_with_progress(plan, f"{args.model} load")

# %%
paths = save_result(result, run_report_dir("simulation", args.model))
print(result.summary.format())
for path in paths:
    print(f"saved {path}")
if result.summary.error_rate > args.max_error_rate:
    fail(f"error rate {result.summary.error_rate:.1%} is above {args.max_error_rate:.1%}")
