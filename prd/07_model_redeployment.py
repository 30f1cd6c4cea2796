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
# the capacity gained. A failed new build leaves the old deployment serving.

# %%
import os

from logistics.cli_support import LabArgumentParser, parse_script_args, positive_int

cores = os.cpu_count() or 1
parser = LabArgumentParser(description="Redeploy a model with more resources, without downtime.")
parser.add_argument("--project", default="logistics-prd", help="PRD project name")
parser.add_argument("--model", default="TimeSeriesQuery", help="model name")
parser.add_argument("--cpu", type=float, default=1.0, help="vCPU per replica")
parser.add_argument("--memory", type=float, default=2.0, help="GB per replica")
parser.add_argument("--replicas", type=positive_int, default=min(2, cores), help="replicas")
parser.add_argument("--concurrency", type=positive_int, default=8, help="closed-loop workers")
parser.add_argument("--seconds", type=float, default=15.0, help="length of each measured load")
args = parse_script_args(parser)

# %%
from simulation_support import endpoint_of, fail, requests_for
from workspace.client import WorkspaceError
from workspace.lifecycle import redeploy
from workspace.load import LoadPlan, run_with_progress
from workspace.load.background import BackgroundLoad

client, before = endpoint_of(args.project, args.model)
payloads = requests_for(None, args.model, n=500)


def measure(label: str):
    plan = LoadPlan(
        url=f"{client.api_url}/model",
        access_key=before.model.access_key,
        payloads=payloads,
        concurrency=args.concurrency,
        duration_s=args.seconds,
    )
    return run_with_progress(plan, label).summary


baseline = measure(f"{args.model} before ({before.deployment.replicas} replica(s))")

# %%
cutover_plan = LoadPlan(
    url=f"{client.api_url}/model",
    access_key=before.model.access_key,
    payloads=payloads,
    concurrency=4,
    duration_s=3600,
)
with BackgroundLoad(cutover_plan) as during:
    try:
        after = redeploy(client, before, cpu=args.cpu, memory=args.memory, replicas=args.replicas)
    except WorkspaceError as exc:
        fail(str(exc).splitlines()[0])
cutover = during.summary
print(
    f"cutover: {cutover.count} requests during the redeploy, {cutover.failed} failed"
    + (f" ({cutover.errors_by_type})" if cutover.failed else "")
)

# %%
improved = measure(f"{args.model} after ({after.deployment.replicas} replica(s))")
print(f"{'':14}{'before':>12}{'after':>12}{'ratio':>8}")
print(f"{'deployment':14}{before.deployment.id[:10]:>12}{after.deployment.id[:10]:>12}")
print(
    f"{'resources':14}{f'{before.deployment.cpu:g}/{before.deployment.memory:g}/{before.deployment.replicas}':>12}"
    f"{f'{after.deployment.cpu:g}/{after.deployment.memory:g}/{after.deployment.replicas}':>12}"
)
print(
    f"{'requests/s':14}{baseline.requests_per_s:12.1f}{improved.requests_per_s:12.1f}"
    f"{improved.requests_per_s / max(baseline.requests_per_s, 1e-9):8.2f}"
)
print(
    f"{'p95 (ms)':14}{baseline.p95_ms:12.1f}{improved.p95_ms:12.1f}"
    f"{improved.p95_ms / max(baseline.p95_ms, 1e-9):8.2f}"
)
if cutover.failed:
    raise SystemExit(1)
