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
from logistics.script_args import (
    LabArgumentParser,
    add_classifier_flags,
    add_resource_flags,
    parse_script_args,
)

parser = LabArgumentParser(description="Rebuild from the champion alias and redeploy.")
add_classifier_flags(parser, model_help="registered and served name")
add_resource_flags(parser)
args = parse_script_args(parser)

# %%
from logistics.registry import CHAMPION
from logistics.script_args import exit_on_user_error
from workspace.client import WorkspaceClient, WorkspaceError
from workspace.endpoints import serving_endpoint
from workspace.lifecycle import redeploy

with exit_on_user_error(WorkspaceError):
    client = WorkspaceClient()
    before = serving_endpoint(client, args.project, args.model_name)
    after = redeploy(
        client,
        before,
        cpu=args.cpu,
        memory=args.memory,
        replicas=args.replicas,
        registered_model_version_id=f"{args.model_name}@{CHAMPION}",
    )

# %%
print(
    f"{args.model_name}: build {before.build.registered_model_version_id} → "
    f"{after.build.registered_model_version_id}, deployment {before.deployment.id} stopped, "
    f"{after.deployment.id} serving"
)
