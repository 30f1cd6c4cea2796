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
# # 05 · Redeploy the champion
# After step 04's quality gate, `IOTFailureClf@champion` may point at a newer version. This step
# builds the model again from the alias (pinning the new version) and redeploys; the endpoint moves
# to the new deployment only when it is ready, and the old one is stopped after.

# %%
from logistics.cli_support import LabArgumentParser, parse_script_args, positive_int

parser = LabArgumentParser(description="Rebuild from the champion alias and redeploy.")
parser.add_argument("--project", default="logistics-mlflow", help="workspace project name")
parser.add_argument("--model-name", default="IOTFailureClf", help="registered and served name")
parser.add_argument("--cpu", type=float, default=1.0, help="vCPU per replica")
parser.add_argument("--memory", type=float, default=2.0, help="GB per replica")
parser.add_argument("--replicas", type=positive_int, default=1, help="replicas")
args = parse_script_args(parser)

# %%
from logistics.registry import CHAMPION
from registry_support import redeploy_alias

before, after = redeploy_alias(args, CHAMPION)

# %%
print(
    f"{args.model_name}: build {before.build.registered_model_version_id} → "
    f"{after.build.registered_model_version_id}, deployment {before.deployment.id} stopped, "
    f"{after.deployment.id} serving"
)
