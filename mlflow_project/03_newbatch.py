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
# # 03 · A new batch of IoT data
# Appends the next day of readings to `logistics.iot_fleet` as a new Iceberg snapshot; step 04
# retrains on exactly this batch with an incremental read.

# %%
from logistics.script_args import (
    LabArgumentParser,
    add_fleet_flags,
    exit_on_user_error,
    parse_script_args,
)

parser = LabArgumentParser(description="Append a batch to logistics.iot_fleet.")
add_fleet_flags(
    parser,
    devices=20,
    days=1,
    seed=22,
    days_help="days of readings (> 0)",
    seed_help="seed of this batch",
)
args = parse_script_args(parser)

# %%
with exit_on_user_error():
    from logistics.datagen import WriteMode, write_telemetry
    from logistics.fleet import FleetSpec
    from logistics.lakehouse import spark_session, spark_table

    spark = spark_session("mlflow-03-newbatch")
    spark_table(spark, "iot_fleet")  # the first batch comes from step 00
    spec = FleetSpec(devices=args.devices, days=args.days, seed=args.seed)
    result = write_telemetry(spark, spec, WriteMode.APPEND, table="iot_fleet")

# %%
print(
    f"appended {result.rows:,} rows from {result.spec.start:%Y-%m-%d %H:%M} UTC as snapshot {result.snapshot_id}"
)
from logistics.table_summaries import snapshot_history

snapshot_history(spark).show(truncate=False)
