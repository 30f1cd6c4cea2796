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
# # 01A · Fleet map
# A Folium map of `logistics.fleet_telemetry` over `logistics.zones`, on an offline basemap of the
# region's counties: event markers coloured by type and clustered, each truck's simplified
# trajectory in its own colour (a layer per manufacturer), a time slider that moves every truck
# along its route, zones coloured by kind, a heat map of where events happen, and popups with
# device, manufacturer, signals and time. Read through pyiceberg: no Spark needed.
#
# Run as a job: `python dev/01A_map_viz.py --day 2026-01-05 --devices device-0001,device-0002`
#
# The page is self-contained (works offline) once the map assets and the basemap are fetched with
# `python -m logistics.maps.assets fetch`; OpenStreetMap tiles are drawn over the basemap when the
# browser is online, and `--no-tiles` leaves them out (the page then makes no request at all).

# %%
from pathlib import Path

from logistics.script_args import (
    LabArgumentParser,
    add_selection_flags,
    exit_on_user_error,
    parse_script_args,
    positive_int,
)

parser = LabArgumentParser(description="Draw the fleet's telemetry on a Folium map.")
add_selection_flags(parser)
parser.add_argument(
    "--max-markers",
    type=positive_int,
    default=1500,
    help="upper bound on event markers in the page",
)
parser.add_argument(
    "--output",
    type=Path,
    default=None,
    help="HTML file to write (default: LAB_HOME/reports/fleet_map.html)",
)
parser.add_argument(
    "--no-tiles", action="store_true", help="no OpenStreetMap tiles: the page makes no request"
)
parser.add_argument(
    "--assets",
    choices=["auto", "inline", "cdn"],
    default="auto",
    help="inline local copies of Leaflet & co. (auto: when fetched) or link CDNs",
)
args = parse_script_args(parser)

# %%
with exit_on_user_error():
    from logistics.maps import MapOptions, save_fleet_map
    from logistics.maps.assets import WebAssetsMissing
    from logistics.maps.source import read_map_frames

    telemetry, zones = read_map_frames(args.devices, args.day)
    print(
        f"{len(telemetry):,} readings of {telemetry.device_id.nunique()} devices, {len(zones)} zones"
    )

# %%
options = MapOptions(
    max_markers=args.max_markers,
    tiles=None if args.no_tiles else "OpenStreetMap",
    assets=args.assets,
)
with exit_on_user_error():
    try:
        path = save_fleet_map(telemetry, zones, args.output, options)
    except WebAssetsMissing as exc:
        raise ValueError(str(exc)) from None
print(f"map saved: {path}")
