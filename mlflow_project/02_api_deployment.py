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
from logistics.script_args import (
    LabArgumentParser,
    add_classifier_flags,
    add_resource_flags,
    parse_script_args,
)

parser = LabArgumentParser(description="Register the classifier and deploy it from the registry.")
add_classifier_flags(parser, model_help="registered and served name")
parser.add_argument("--experiment", default="iot-failure-classifier", help="MLflow experiment")
add_resource_flags(parser)
args = parse_script_args(parser)


# %%
from logistics.model_lineage import latest_logged_model
from logistics.model_requests import CLASSIFIER_SEED_REQUEST
from logistics.registry import CHAMPION, register
from logistics.script_args import exit_on_user_error, script_folder
from workspace.client import WorkspaceClient, WorkspaceError
from workspace.release import ModelRelease, release_model

with exit_on_user_error(WorkspaceError):
    model_uri = latest_logged_model(args.experiment)
    version = register(model_uri, args.model_name, CHAMPION, description="trained by step 01")
    print(f"registered {model_uri} as {args.model_name} v{version} @{CHAMPION}")
    release = release_model(
        WorkspaceClient(),
        ModelRelease(
            project=args.project,
            project_dir=script_folder(),
            project_description="XGBoost IoT failure classifier via the MLflow registry",
            model=args.model_name,
            model_fields={
                "registered_model_id": args.model_name,
                "description": "IoT failure classifier (XGBoost)",
            },
            build={"registered_model_version_id": f"{args.model_name}@{CHAMPION}"},
            cpu=args.cpu,
            memory=args.memory,
            replicas=args.replicas,
        ),
        test_request=CLASSIFIER_SEED_REQUEST,
    )
served = release.served
print(
    f"deployed {args.model_name} ({served.build.registered_model_version_id}) as deployment "
    f"{served.deployment.id}; endpoint POST {release.endpoint}, access key "
    f"{served.model.access_key}, replica {release.answer.get('ReplicaID')}"
)

# %%
print(f"prediction for the seed request: {release.answer['response']}")
