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
# # 01 · Train the XGBoost failure classifier
# Reads `logistics.iot_fleet` at its current snapshot (or `--snapshot-id`: the same snapshot gives
# the same model, predictions and metrics, whatever was appended since), trains on a seeded split,
# and logs accuracy, precision, recall and ROC AUC as metrics, the model with its signature and an
# input example, and the Iceberg lineage (snapshot id, commit time, parent id, row count) as tags.

# %%
from logistics.failure_model import ClassifierParams
from logistics.script_args import LabArgumentParser, exit_on_user_error, parse_script_args

parser = LabArgumentParser(description="Train the IoT failure classifier and track it in MLflow.")
parser.add_argument("--experiment", default="iot-failure-classifier", help="MLflow experiment")
parser.add_argument(
    "--snapshot-id", type=int, default=None, help="iot_fleet snapshot to train on (default: latest)"
)
ClassifierParams.add_flags(parser)
args = parse_script_args(parser)

# %%
with exit_on_user_error():
    from logistics.failure_model import log_run, read_training_frame, train
    from logistics.tracking import use_experiment

    snapshot, frame = read_training_frame("iot_fleet", args.snapshot_id)
    trained = train(frame, ClassifierParams.from_flags(args))
    use_experiment(args.experiment)
    run_id, model_uri = log_run(
        trained, snapshot, run_name="xgboost-full", facts={"rows": len(frame)}
    )

# %%
for name, value in trained.metrics.items():
    print(f"{name:>9}: {value:.4f}")
print(f"run {run_id} logged the model at {model_uri} (snapshot {snapshot.snapshot_id})")
