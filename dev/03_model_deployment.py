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
# # 03 · Deploy TimeSeriesQuery to the PRD project
# Creates (or reuses) the PRD project from the `prd/` folder through the workspace API, creates
# the TimeSeriesQuery model once, builds `prd/ts_query_serve.py:predict`, deploys it against the
# current snapshot of `logistics.fleet_telemetry`, waits until it answers, and sends the lab's
# test request `{"pattern": [54, 53, 52, 51]}`. Re-running makes a new build of the same model.

# %%
from logistics.cli_support import LabArgumentParser, parse_script_args, positive_int

parser = LabArgumentParser(description="Build and deploy the TimeSeriesQuery model in PRD.")
parser.add_argument("--project", default="logistics-prd", help="PRD project name")
parser.add_argument("--model", default="TimeSeriesQuery", help="model name (no dates)")
parser.add_argument("--cpu", type=float, default=1.0, help="vCPU per replica")
parser.add_argument("--memory", type=float, default=2.0, help="GB per replica")
parser.add_argument("--replicas", type=positive_int, default=1, help="replicas")
args = parse_script_args(parser)

# %%
from deployment_support import deploy_prd_model

served, answer = deploy_prd_model(
    args,
    description="Pattern search across the fleet (STUMPY), served from the Iceberg snapshot",
    file_path="ts_query_serve.py",
    function_name="predict",
    test_request={"pattern": [54, 53, 52, 51]},
)

# %%
print(f"best match of the test pattern: index {answer['nearest_neighbor']}")
for match in answer.get("matches", [])[:5]:
    print(f"  {match['device_id']} at {match['event_ts']}: distance {match['distance']:.4f}")
