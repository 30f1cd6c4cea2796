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
# # 02 · Register the classifier and deploy it from the registry
# Registers the model step 01 logged as a new version of `IOTFailureClf` with alias `champion`,
# then through the workspace API creates the model once, builds it from `IOTFailureClf@champion`
# (the alias is pinned to its version at build time), deploys it, waits, and sends the lab's test
# request in MLflow's `dataframe_split` format.

# %%
from logistics.cli_support import LabArgumentParser, parse_script_args, positive_int

parser = LabArgumentParser(description="Register the classifier and deploy it from the registry.")
parser.add_argument("--project", default="logistics-mlflow", help="workspace project name")
parser.add_argument("--experiment", default="iot-failure-classifier", help="MLflow experiment")
parser.add_argument("--model-name", default="IOTFailureClf", help="registered and served name")
parser.add_argument("--cpu", type=float, default=1.0, help="vCPU per replica")
parser.add_argument("--memory", type=float, default=2.0, help="GB per replica")
parser.add_argument("--replicas", type=positive_int, default=1, help="replicas")
args = parse_script_args(parser)


# %%
from logistics.registry import CHAMPION, register
from registry_support import SEED_REQUEST, deploy_alias, latest_logged_model

model_uri = latest_logged_model(args.experiment)
version = register(model_uri, args.model_name, CHAMPION, description="trained by step 01")
print(f"registered {model_uri} as {args.model_name} v{version} @{CHAMPION}")
served, answer = deploy_alias(args, CHAMPION, SEED_REQUEST)

# %%
print(f"prediction for the seed request: {answer['response']}")
