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
# # 04 · Deploy MultiDimMotif to the PRD project
# Same journey as step 03 for the unsupervised multi-dimensional motif model
# (`prd/ts_multidim_serve.py:multi_dim_motif`): column-oriented windows of the four signals in,
# per-signal motifs, discords and anomaly scores out, as plain JSON.

# %%
from logistics.cli_support import LabArgumentParser, parse_script_args, positive_int

parser = LabArgumentParser(description="Build and deploy the MultiDimMotif model in PRD.")
parser.add_argument("--project", default="logistics-prd", help="PRD project name")
parser.add_argument("--model", default="MultiDimMotif", help="model name (no dates)")
parser.add_argument("--cpu", type=float, default=1.0, help="vCPU per replica")
parser.add_argument("--memory", type=float, default=2.0, help="GB per replica")
parser.add_argument("--replicas", type=positive_int, default=1, help="replicas")
args = parse_script_args(parser)

# %%
from deployment_support import deploy_prd_model
from logistics.payloads import TelemetrySample, window_requests

with_sample = window_requests(TelemetrySample.load(devices=1), 1, length=240)[0]
served, answer = deploy_prd_model(
    args,
    description="Multi-dimensional motifs and discords over the four IoT signals (STUMPY mstump)",
    file_path="ts_multidim_serve.py",
    function_name="multi_dim_motif",
    test_request=with_sample,
)

# %%
for key, value in answer.items():
    print(f"{key}: {value}")
