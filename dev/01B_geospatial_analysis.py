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
# event (`ST_KNN` join), restricted-area violations per device and each entry into a restricted
# area. Each answer is saved as CSV under LAB_HOME/reports/geo, beside one self-contained HTML
# report: a choropleth of events per zone, devices near depots, violations with their times and the
# KNN lines to the nearest depot, each map on the offline basemap beside a small summary table.
#
# Run as a job: `python dev/01B_geospatial_analysis.py --within-km 5 --at 2026-01-05T12:00:00+00:00`
# (`--day` and `--devices` narrow the report to one UTC day and some trucks).

# %%
from pathlib import Path

from logistics.script_args import (
    LabArgumentParser,
    add_selection_flags,
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
add_selection_flags(parser)
parser.add_argument("--no-tiles", action="store_true", help="no OpenStreetMap tiles in the maps")
parser.add_argument(
    "--assets",
    choices=["auto", "inline", "cdn"],
    default="auto",
    help="inline local copies of Leaflet & co. (auto: when fetched) or link CDNs",
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
    telemetry = geo.select_readings(spark_table(spark, "fleet_telemetry"), args.devices, args.day)
    zones = spark_table(spark, "zones")
    summary = geo.fleet_summary(telemetry).toPandas()
    geo.check_selection(summary, args.devices, args.day, args.at)

# %% [markdown]
# Each answer is a Spark DataFrame; the results are small enough to collect for display and saving.

# %%
answers = {
    name: frame.toPandas()
    for name, frame in geo.fleet_geo_answers(telemetry, zones, args.within_km, args.at).items()
}
for name, frame in answers.items():
    print(f"{name}: {len(frame):,} rows")
row = summary.iloc[0]
print(f"{row.readings:,} readings of {row.devices} devices, {row.events:,} of them events")

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

# %% [markdown]
# The report: every answer on a map of its own, on one page that opens offline.

# %%
from logistics.maps.assets import WebAssetsMissing
from logistics.maps.geo_report import ReportOptions, save_geo_report

folder = args.output_dir or get_settings().reports_dir / "geo"
for path in geo.save_answers(answers, folder):
    print(f"saved: {path}")
options = ReportOptions(tiles=None if args.no_tiles else "OpenStreetMap", assets=args.assets)
with exit_on_user_error(WebAssetsMissing):
    report = save_geo_report(
        {**answers, "fleet_summary": summary},
        zones.toPandas(),
        folder / "geospatial_analysis.html",
        args.within_km,
        args.at,
        options,
    )
print(f"saved: {report}")
