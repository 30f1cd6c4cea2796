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
# # 00 · IoT data for the failure classifier
# Simulates the fleet's signals with Spark into the Iceberg table `logistics.iot_fleet`. The label
# `iot_failure` depends on the signals (hot engines, high load and malfunctions fail more), so the
# classifier of step 01 has something real to learn.

# %%
from logistics.script_args import (
    LabArgumentParser,
    add_fleet_flags,
    exit_on_user_error,
    parse_script_args,
)

parser = LabArgumentParser(description="Simulate IoT signals into logistics.iot_fleet.")
add_fleet_flags(parser, devices=20, days=1, seed=21)
args = parse_script_args(parser)

# %%
with exit_on_user_error():
    from logistics.datagen import WriteMode, write_telemetry
    from logistics.fleet import FleetSpec
    from logistics.lakehouse import spark_session

    spark = spark_session("mlflow-00-datagen")
    spec = FleetSpec(devices=args.devices, days=args.days, seed=args.seed)
    result = write_telemetry(spark, spec, WriteMode.REPLACE, table="iot_fleet")

# %%
print(f"logistics.iot_fleet: {result.rows:,} rows, snapshot {result.snapshot_id}")
from logistics.table_summaries import rows_by_failure_label

rows_by_failure_label(spark).show()
