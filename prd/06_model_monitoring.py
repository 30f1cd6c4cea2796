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

# %%
import json
import os

from logistics.cli_support import LabArgumentParser, parse_script_args

parser = LabArgumentParser(description="Monitor a model deployment and judge its capacity.")
parser.add_argument("--project", default="logistics-prd", help="PRD project name")
parser.add_argument("--model", default="TimeSeriesQuery", help="model name")
parser.add_argument("--target-p95-ms", type=float, default=250.0, help="latency target")
parser.add_argument("--minutes", type=float, default=60.0, help="look back this many minutes")
args = parse_script_args(parser)

# %%
import time

from simulation_support import endpoint_of, fail, report_dir
from workspace.capacity import assess
from workspace.monitoring import observed_load, replicas_frame, requests_frame, save_plots

client, served = endpoint_of(args.project, args.model)
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
try:
    load = observed_load(requests, replicas)
except ValueError as exc:
    fail(str(exc))

# %%
verdict = assess(
    load.rate,
    load.service_s,
    served.deployment.replicas,
    target_p95_s=args.target_p95_ms / 1000,
    cores=os.cpu_count() or 1,
)
out = report_dir("monitoring", args.model)
paths = save_plots(requests, replicas, out, f"{args.model} · deployment {served.deployment.id}")
verdict_path = out / "capacity.json"
verdict_path.write_text(
    json.dumps(
        {**verdict.__dict__, "observed_p95_ms": load.p95_ms, "error_rate": load.error_rate},
        indent=2,
    )
)
restarts = int(replicas.groupby("replica_id").restarts.max().sum()) if not replicas.empty else 0
print(
    f"{len(requests)} requests, observed p95 {load.p95_ms:.1f} ms, error rate {load.error_rate:.1%}, "
    f"replica restarts {restarts}"
)
print(verdict.format())
for path in [*paths, verdict_path]:
    print(f"saved {path}")
