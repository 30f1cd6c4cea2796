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
# # 04 · Retrain on the new batch and gate the promotion
# Reads only the rows step 03 appended (an incremental read between the parent snapshot and the
# current one), trains a challenger, registers it with alias `challenger`, and promotes it to
# `champion` only when it beats the champion on the same held-out rows.

# %%
from logistics.failure_model import ClassifierParams
from logistics.script_args import LabArgumentParser, exit_on_user_error, parse_script_args

parser = LabArgumentParser(description="Retrain on the latest batch; promote only if better.")
parser.add_argument("--experiment", default="iot-failure-classifier", help="MLflow experiment")
parser.add_argument("--model-name", default="IOTFailureClf", help="registered model name")
ClassifierParams.add_flags(parser)
parser.add_argument("--min-gain", type=float, default=0.0, help="ROC AUC margin to promote")
args = parse_script_args(parser)

# %%
with exit_on_user_error():
    from logistics.failure_model import log_run, quality_gate, train
    from logistics.lakehouse import spark_session
    from logistics.registry import (
        CHALLENGER,
        CHAMPION,
        alias_version,
        load_alias,
        move_alias,
        register,
    )
    from logistics.snapshots import read_increment, snapshot_info
    from logistics.tracking import use_experiment

    snapshot = snapshot_info("iot_fleet")
    if snapshot.parent_id is None:
        raise ValueError(
            "logistics.iot_fleet has a single snapshot: run mlflow_project/03_newbatch.py first"
        )
    use_experiment(args.experiment)
    if alias_version(args.model_name, CHAMPION) is None:
        raise ValueError(
            f"no {args.model_name}@{CHAMPION} yet: run mlflow_project/02_api_deployment.py first"
        )
    spark = spark_session("mlflow-04-retrain")
    batch = read_increment(spark, "iot_fleet", snapshot.parent_id, snapshot.snapshot_id).toPandas()
    trained = train(batch, ClassifierParams.from_flags(args))
    run_id, model_uri = log_run(
        trained,
        snapshot,
        run_name="xgboost-incremental",
        facts={"rows": len(batch), "incremental_from": snapshot.parent_id},
    )
    version = register(
        model_uri,
        args.model_name,
        CHALLENGER,
        description=f"trained on snapshot {snapshot.snapshot_id}",
    )
    decision = quality_gate(
        trained.model,
        load_alias(args.model_name, CHAMPION),
        trained.holdout,
        min_gain=args.min_gain,
    )
    if decision.promote:
        move_alias(args.model_name, CHAMPION, version)

# %%
print(f"read {len(batch):,} new rows (snapshots {snapshot.parent_id} → {snapshot.snapshot_id})")
print(f"challenger = {args.model_name} v{version} (run {run_id})")
verdict = "promoted to champion" if decision.promote else "champion kept"
print(f"{verdict}: {decision.reason}")
