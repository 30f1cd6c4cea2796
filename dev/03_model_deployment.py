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
from logistics.prd_models import PRD_PROJECT, TIME_SERIES_QUERY
from logistics.script_args import (
    LabArgumentParser,
    add_model_flags,
    add_resource_flags,
    parse_script_args,
)

parser = LabArgumentParser(description="Build and deploy the TimeSeriesQuery model in PRD.")
add_model_flags(
    parser, project=PRD_PROJECT, model=TIME_SERIES_QUERY.name, model_help="model name (no dates)"
)
add_resource_flags(parser)
args = parse_script_args(parser)

# %%
from logistics.model_requests import PATTERN_TEST_REQUEST
from logistics.script_args import exit_on_user_error, resources_from_flags, script_folder
from logistics.snapshots import snapshot_info
from workspace.client import WorkspaceClient, WorkspaceError
from workspace.release import ModelRelease, release_model

with exit_on_user_error(WorkspaceError):
    snapshot = snapshot_info("fleet_telemetry")
    run_id = TIME_SERIES_QUERY.training_run(snapshot.snapshot_id)
    if run_id is None:
        print(f"note: no training run at snapshot {snapshot.snapshot_id}; run dev/02 to trace it")
    release = release_model(
        WorkspaceClient(),
        ModelRelease(
            project=args.project,
            model=args.model,
            **resources_from_flags(args),
            **TIME_SERIES_QUERY.release_fields(
                script_folder().parent / "prd", snapshot.snapshot_id, run_id
            ),
        ),
        test_request=PATTERN_TEST_REQUEST,
        on_building=print,
    )
print(release.format(serving_from=f"snapshot {snapshot.snapshot_id}"))

# %%
answer = release.response
print(f"best match of the test pattern: index {answer['nearest_neighbor']}")
for match in answer.get("matches", [])[:5]:
    print(f"  {match['device_id']} at {match['event_ts']}: distance {match['distance']:.4f}")
