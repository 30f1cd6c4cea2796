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
from logistics.prd_models import MULTI_DIM_MOTIF, PRD_PROJECT
from logistics.script_args import (
    LabArgumentParser,
    add_model_flags,
    add_resource_flags,
    parse_script_args,
)

parser = LabArgumentParser(description="Build and deploy the MultiDimMotif model in PRD.")
add_model_flags(
    parser, project=PRD_PROJECT, model=MULTI_DIM_MOTIF.name, model_help="model name (no dates)"
)
add_resource_flags(parser)
args = parse_script_args(parser)

# %%
from logistics.payloads import TelemetrySample, window_requests
from logistics.script_args import exit_on_user_error, resources_from_flags, script_folder
from logistics.snapshots import snapshot_info
from workspace.client import WorkspaceClient, WorkspaceError
from workspace.release import ModelRelease, release_model

with exit_on_user_error(WorkspaceError):
    with_sample = window_requests(TelemetrySample.load(devices=1), 1, length=240)[0]
    snapshot = snapshot_info("fleet_telemetry")
    run_id = MULTI_DIM_MOTIF.training_run(snapshot.snapshot_id)
    if run_id is None:
        print(f"note: no training run at snapshot {snapshot.snapshot_id}; run dev/02 to trace it")
    release = release_model(
        WorkspaceClient(),
        ModelRelease(
            project=args.project,
            model=args.model,
            **resources_from_flags(args),
            **MULTI_DIM_MOTIF.release_fields(
                script_folder().parent / "prd", snapshot.snapshot_id, run_id
            ),
        ),
        test_request=with_sample,
        on_building=print,
    )
print(release.format(serving_from=f"snapshot {snapshot.snapshot_id}"))

# %%
for key, value in release.response.items():
    print(f"{key}: {value}")
