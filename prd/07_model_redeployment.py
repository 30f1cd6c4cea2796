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
# # 07 · Model redeployment with more resources
# Builds the same model again and deploys it with more CPU, memory and replicas (defaults sized to
# this machine; upstream went 2 CPU/4 GB/1 replica → 4 CPU/8 GB/2 replicas). Traffic moves to the
# new deployment only once its replicas are ready, and the old deployment is stopped after. Load
# keeps running during the cutover to prove no request fails; a short load before and after gives
# the capacity gained. A failed new build leaves the old deployment serving. With
# `--autoscale-max N` the new deployment is then handed to an autoscaling policy (min, max, p95
# target), which the workspace evaluates from then on (prd/06 shows its decisions).

# %%
import os

from logistics.script_args import (
    LabArgumentParser,
    add_autoscaling_flags,
    add_concurrency_flag,
    add_model_flags,
    add_resource_flags,
    parse_script_args,
)

cores = os.cpu_count() or 1
parser = LabArgumentParser(description="Redeploy a model with more resources, without downtime.")
add_model_flags(parser, project="logistics-prd", model="TimeSeriesQuery")
add_resource_flags(parser, replicas=min(2, cores))
add_concurrency_flag(parser, default=8)
add_autoscaling_flags(parser)
parser.add_argument("--seconds", type=float, default=15.0, help="length of each measured load")
args = parse_script_args(parser)

# %%
from logistics.model_requests import load_requests
from logistics.script_args import autoscaling_from_flags, exit_on_user_error, fail
from workspace.client import WorkspaceClient, WorkspaceError
from workspace.endpoints import endpoint_load_plan, serving_endpoint
from workspace.lifecycle import redeploy, switch_replication
from workspace.load import CapacityGain, format_cutover, run_with_progress
from workspace.load.background import BackgroundLoad

with exit_on_user_error(WorkspaceError):
    client = WorkspaceClient()
    before = serving_endpoint(client, args.project, args.model)
    payloads = load_requests(None, args.model, n=500)
measured = endpoint_load_plan(
    client, before, payloads, concurrency=args.concurrency, duration_s=args.seconds
)
baseline = run_with_progress(
    measured, f"{args.model} before ({before.deployment.replicas} replica(s))"
).summary

# %%
cutover_plan = endpoint_load_plan(client, before, payloads, concurrency=4, duration_s=3600)
with BackgroundLoad(cutover_plan) as during:
    try:
        after = redeploy(client, before, cpu=args.cpu, memory=args.memory, replicas=args.replicas)
    except WorkspaceError as exc:
        fail(str(exc).splitlines()[0])
cutover = during.summary
print(format_cutover(cutover))
policy = autoscaling_from_flags(args)
if policy is not None:
    with exit_on_user_error(WorkspaceError):
        after = switch_replication(client, after, policy)
    print(f"deployment {after.deployment.id}: {after.deployment.replication_policy.describe()}")

# %%
improved = run_with_progress(
    measured, f"{args.model} after ({after.deployment.replicas} replica(s))"
).summary
print(CapacityGain(before.deployment, after.deployment, baseline, improved).format())
if cutover.failed:
    raise SystemExit(1)
