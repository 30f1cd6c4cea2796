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
# # 00 · Data generation
# Simulates a fleet of delivery trucks reporting position and four IoT signals every minute, with
# Spark, into the Iceberg tables `logistics.fleet_telemetry`, `logistics.zones` and
# `logistics.injected_events` (ground truth for the models of step 02).
#
# Run as a job: `python dev/00_datagen.py --devices 50 --days 2 --seed 7 --mode replace`

# %%
from logistics.script_args import (
    LabArgumentParser,
    add_fleet_flags,
    exit_on_user_error,
    parse_script_args,
)

parser = LabArgumentParser(description="Simulate fleet telemetry into Iceberg.")
add_fleet_flags(parser, devices=50, days=2, seed=7, noun="trucks")
parser.add_argument(
    "--mode",
    choices=["append", "replace"],
    default="replace",
    help="append a new snapshot or replace the tables atomically",
)
args = parse_script_args(parser)

# %%
with exit_on_user_error():
    from logistics.datagen import WriteMode, write_fleet
    from logistics.fleet import FleetSpec
    from logistics.lakehouse import spark_session

    spark = spark_session("00_datagen")
    result = write_fleet(
        spark, FleetSpec(devices=args.devices, days=args.days, seed=args.seed), WriteMode(args.mode)
    )

# %%
print(
    f"committed {result.rows:,} readings of {result.spec.devices} devices from "
    f"{result.spec.start:%Y-%m-%d %H:%M} UTC as snapshot {result.snapshot_id} "
    f"({result.rows_per_second:,.0f} rows/s)"
)
from logistics.table_summaries import readings_by_event_type

readings_by_event_type(spark).show()
