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
# # 01B · Geospatial analysis with Sedona
# Sedona SQL on the Iceberg tables, in the same Spark session that reads them (the upstream lab
# needed a second one): events inside each zone (`ST_Contains` join), readings per zone and event
# type, devices within some kilometres of a depot (`ST_DistanceSphere`), the nearest depot of every
# event (`ST_KNN` join) and restricted-area violations per device. Each answer is saved as CSV, and
# all of them on one HTML page, under LAB_HOME/reports/geo.
#
# Run as a job: `python dev/01B_geospatial_analysis.py --within-km 5 --at 2026-01-05T12:00:00+00:00`

# %%
from pathlib import Path

from logistics.script_args import (
    LabArgumentParser,
    exit_on_user_error,
    parse_script_args,
    positive_float,
    utc_time,
)

parser = LabArgumentParser(description="Answer the fleet's geospatial questions with Sedona.")
parser.add_argument(
    "--within-km",
    type=positive_float,
    default=5.0,
    help="radius around depot centres, great-circle km (> 0)",
)
parser.add_argument(
    "--at",
    type=utc_time,
    default=None,
    help="positions at this time, ISO 8601, UTC unless an offset is given "
    "(default: each device's latest reading)",
)
parser.add_argument(
    "--output-dir",
    type=Path,
    default=None,
    help="folder for the CSVs and the HTML page (default: LAB_HOME/reports/geo)",
)
args = parse_script_args(parser)

# %%
with exit_on_user_error():
    from logistics import geo
    from logistics.lakehouse import spark_session, spark_table
    from logistics.settings import get_settings

    spark = spark_session("01B_geospatial_analysis")
    telemetry = spark_table(spark, "fleet_telemetry")
    zones = spark_table(spark, "zones")

# %% [markdown]
# Each answer is a Spark DataFrame; the results are small enough to collect for display and saving.

# %%
answers = {
    name: frame.toPandas()
    for name, frame in geo.fleet_geo_answers(telemetry, zones, args.within_km, args.at).items()
}
for name, frame in answers.items():
    print(f"{name}: {len(frame):,} rows")

# %%
counts = answers["event_counts_by_zone"]
print("\nreadings per zone and event type")
print(
    counts.pivot_table(index="zone_id", columns="event_type", values="readings", fill_value=0)
    .astype(int)
    .to_string()
)

# %%
print("\nrestricted-zone violations (most readings first)")
violations = answers["restricted_zone_violations"]
print(violations.sort_values("readings", ascending=False).head(10).to_string(index=False))

# %%
when = f"at {args.at:%Y-%m-%d %H:%M} UTC" if args.at else "at their latest reading"
print(f"\ndevices within {args.within_km:g} km of a depot {when}")
print(answers["devices_near_depots"].to_string(index=False))

# %%
print("\nevents by nearest depot")
print(
    answers["nearest_depot"]
    .groupby(["depot_id", "event_type"])
    .distance_km.agg(events="count", mean_km="mean")
    .round(2)
    .to_string()
)

# %%
folder = args.output_dir or get_settings().reports_dir / "geo"
for path in geo.save_answers(answers, folder):
    print(f"saved: {path}")
