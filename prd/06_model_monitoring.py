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
# # 06 · Model monitoring
# For the serving deployment of a model: request rate, latency percentiles over time, errors, CPU
# and memory per replica against their limits, restarts and the tracked model metrics, as PNG
# plots, then a capacity verdict: saturated or not, and the replicas that would meet a target p95
# at the observed rate (an M/M/c queueing model fed with the measured rate and service time).
# A deployment with an autoscaling policy also shows the policy's decisions and its replica count.

# %%
from logistics.script_args import LabArgumentParser, add_model_flags, parse_script_args

parser = LabArgumentParser(description="Monitor a model deployment and judge its capacity.")
add_model_flags(parser, project="logistics-prd", model="TimeSeriesQuery")
parser.add_argument("--target-p95-ms", type=float, default=250.0, help="latency target")
parser.add_argument("--minutes", type=float, default=60.0, help="look back this many minutes")
args = parse_script_args(parser)

# %%
import os
import time

from logistics.report_folders import run_report_dir
from logistics.script_args import exit_on_user_error
from workspace.capacity import assess, save_verdict
from workspace.client import WorkspaceClient, WorkspaceError
from workspace.endpoints import serving_endpoint
from workspace.monitoring import (
    observed_load,
    replica_restarts,
    replicas_frame,
    requests_frame,
    save_plots,
)
from workspace.scaling_report import format_decisions, save_replicas_plot, scaling_events

with exit_on_user_error(WorkspaceError):
    client = WorkspaceClient()
    served = serving_endpoint(client, args.project, args.model)
    since_ms = int((time.time() - args.minutes * 60) * 1000)
    rows = client.read_metrics(
        model_deployment_crn=served.deployment.crn, start_timestamp_ms=since_ms
    ).to_dict()["metrics"]
    ids = {
        "project_id": served.project_id,
        "model_id": served.model.id,
        "build_id": served.build.id,
        "deployment_id": served.deployment.id,
    }
    requests = requests_frame(rows)
    replicas = replicas_frame(client.read_replica_metrics(**ids).to_dict()["replica_metrics"])
    load = observed_load(requests, replicas)
    decisions = scaling_events(client, served, since_ms=since_ms)

# %%
verdict = assess(
    load.rate,
    load.service_s,
    served.deployment.replicas,
    target_p95_s=args.target_p95_ms / 1000,
    cores=os.cpu_count() or 1,
)
out = run_report_dir("monitoring", args.model)
paths = save_plots(requests, replicas, out, f"{args.model} · deployment {served.deployment.id}")
verdict_path = save_verdict(verdict, load, out / "capacity.json")
print(
    f"{len(requests)} requests, observed p95 {load.p95_ms:.1f} ms, error rate {load.error_rate:.1%}, "
    f"replica restarts {replica_restarts(replicas)}"
)
print(verdict.format())
print(format_decisions(served.deployment, decisions))
scaling_path = save_replicas_plot(decisions, out, args.model)
for path in [*paths, verdict_path, *([scaling_path] if scaling_path else [])]:
    print(f"saved {path}")
