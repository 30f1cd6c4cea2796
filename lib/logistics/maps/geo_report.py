"""The report of step 01B: Sedona's answers as maps and small tables on one self-contained page.

Why maps: "which zones see the most events", "which trucks are near a depot", "who drove through a
restricted area, and when" are questions about places; a table of 200 joined rows answers none of
them at a glance. Four Folium maps share one page (and one inlined copy of Leaflet & co.), each on
the offline basemap, each beside the table that sums it up. The CSVs keep every row.

Input frames are the pandas results of ``logistics.geo.fleet_geo_answers`` (plus ``fleet_summary``),
by the same names; the page's sections have ids (``events-per-zone``, ``near-depots``,
``violations``, ``nearest-depot``) and its drawn layers CSS classes (``lab-choropleth``,
``lab-near-device``, ``lab-violation``, ``lab-knn``) so tests and users can find them.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import folium
import numpy as np
import pandas as pd
import shapely
from branca.colormap import LinearColormap
from branca.element import Element, Figure
from shapely import wkt as shapely_wkt
from shapely.geometry import mapping

from logistics.maps.assets import inline_assets, offline_ready
from logistics.maps.fleet_map import ZONE_COLORS, AssetMode, add_basemap
from logistics.telemetry_schema import SYSTEM_OK

DEPOT_COLORS = ("#1565c0", "#6a1b9a", "#ef6c00", "#2e7d32", "#00838f", "#ad1457")
_CSS = """
body{font:14px/1.45 system-ui,sans-serif;color:#222;background:#fafafa}
main{max-width:1280px;margin:0 auto;padding:12px 24px 40px}
h1{font-size:24px;margin:8px 0 4px}h2{font-size:18px;margin:28px 0 8px}
.lead{color:#555;margin:0 0 12px}
.cols{display:grid;grid-template-columns:minmax(0,3fr) minmax(260px,2fr);gap:16px;align-items:start}
.cols .folium-map{border:1px solid #ccc;border-radius:4px}
table.lab-table{border-collapse:collapse;width:100%;font-size:13px;background:#fff}
table.lab-table th,table.lab-table td{border-bottom:1px solid #e3e3e3;padding:3px 8px;
text-align:left}
table.lab-table td.num{text-align:right;font-variant-numeric:tabular-nums}
.lab-swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px}
.note{color:#666;font-size:12px}
.lab-scale{font-size:12px;margin:0 0 8px}
.lab-scale i{display:inline-block;width:120px;height:10px;vertical-align:middle;margin:0 6px}
"""


@dataclass(frozen=True)
class ReportOptions:
    """What the report draws and where its scripts come from (see ``MapOptions``).

    ``max_lines`` bounds the KNN lines and violation markers drawn (the tables count them all).
    """

    max_lines: int = 400
    map_height_px: int = 500
    tiles: str | None = "OpenStreetMap"
    assets: AssetMode = "auto"


def _table(frame: pd.DataFrame, css_id: str) -> str:
    """A small HTML table: numbers right-aligned, times to the minute, floats to two places."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = []
    for row in frame.itertuples(index=False):
        cells = []
        for value in row:
            if isinstance(value, pd.Timestamp | datetime):
                cells.append(f"<td>{pd.Timestamp(value):%Y-%m-%d %H:%M}</td>")
            elif isinstance(value, float | np.floating):
                cells.append(f'<td class="num">{value:,.2f}</td>')
            elif isinstance(value, int | np.integer):
                cells.append(f'<td class="num">{value:,}</td>')
            else:
                cells.append(f"<td>{value}</td>")  # already escaped or markup of our own
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f'<table class="lab-table" id="{css_id}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _region_map(zones: pd.DataFrame, o: ReportOptions) -> folium.Map:
    fmap = folium.Map(
        tiles=None, height=o.map_height_px, control_scale=True, max_zoom=18, zoomSnap=0.25
    )
    add_basemap(fmap, o.tiles)
    minx, miny, maxx, maxy = shapely.total_bounds(shapely.from_wkt(zones.wkt.to_numpy()))
    fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    return fmap


def _zone_feature(row, **properties) -> dict:
    return {
        "type": "Feature",
        "geometry": mapping(shapely_wkt.loads(row.wkt)),
        "properties": {"zone_id": row.zone_id, "name": row.name, "kind": row.kind, **properties},
    }


def _depot_colors(zones: pd.DataFrame) -> dict[str, str]:
    depots = sorted(zones.loc[zones.kind == "depot", "zone_id"])
    return {d: DEPOT_COLORS[i % len(DEPOT_COLORS)] for i, d in enumerate(depots)}


def _swatch(color: str, label: str) -> str:
    return f'<span class="lab-swatch" style="background:{color}"></span>{html.escape(label)}'


def events_per_zone(counts: pd.DataFrame, zones: pd.DataFrame, o: ReportOptions):
    """A choropleth of event readings (anything but "system ok") per zone, and its top zones."""
    events = counts[counts.event_type != SYSTEM_OK].groupby("zone_id").readings.sum()
    total = counts.groupby("zone_id").readings.sum()
    per_zone = zones.assign(
        events=zones.zone_id.map(events).fillna(0).astype(int),
        readings=zones.zone_id.map(total).fillna(0).astype(int),
    )
    top = max(int(per_zone.events.max()), 1)
    scale = LinearColormap(["#fff5eb", "#fd8d3c", "#a63603"], vmin=0, vmax=top)
    fmap = _region_map(zones, o)
    # large areas first, depots last: the small polygons stay on top and clickable
    order = per_zone.assign(rank=per_zone.kind.map({"depot": 2, "restricted_area": 1})).fillna(0)
    features = [
        _zone_feature(row, events=int(row.events), readings=int(row.readings))
        for row in order.sort_values("rank", kind="stable").itertuples(index=False)
    ]
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name="Events per zone",
        style_function=lambda f: {
            "fillColor": scale(f["properties"]["events"]),
            "fillOpacity": 0.85,
            "color": ZONE_COLORS.get(f["properties"]["kind"], "#555"),
            "weight": 1.5,
            "className": "lab-choropleth",
        },
        tooltip=folium.GeoJsonTooltip(
            fields=["name", "kind", "events", "readings"],
            aliases=["zone", "kind", "event readings", "all readings"],
        ),
    ).add_to(fmap)
    gradient = ",".join(scale.rgb_hex_str(v) for v in np.linspace(0, top, 5))
    legend = (
        f'<p class="lab-scale">0<i style="background:linear-gradient(90deg,{gradient})">'
        f"</i>{top:,} event readings</p>"
    )
    ranked = per_zone.sort_values("events", ascending=False).head(8)
    table = pd.DataFrame(
        {
            "zone": [html.escape(str(n)) for n in ranked.name],
            "kind": [html.escape(str(k).replace("_", " ")) for k in ranked.kind],
            "event readings": ranked.events,
            "share of its readings": [
                f"{e / r:.0%}" if r else "–"
                for e, r in zip(ranked.events, ranked.readings, strict=True)
            ],
        }
    )
    return fmap, legend + _table(table, "table-events-per-zone")


def near_depots(near: pd.DataFrame, zones: pd.DataFrame, within_km: float, o: ReportOptions):
    """Depots with their radius, and each device inside one, joined to it by a line."""
    fmap = _region_map(zones, o)
    colors = _depot_colors(zones)
    depots = zones[zones.kind == "depot"]
    for depot in depots.itertuples(index=False):
        center = [depot.center_latitude, depot.center_longitude]
        folium.Circle(
            center, radius=within_km * 1000, color=colors[depot.zone_id], weight=1.5,
            fill=True, fill_opacity=0.08, tooltip=f"{depot.name}: {within_km:g} km",
            class_name="lab-depot-radius",
        ).add_to(fmap)  # fmt: skip
        folium.CircleMarker(
            center, radius=5, color="#000", weight=1, fill=True, fill_color=colors[depot.zone_id],
            fill_opacity=1, tooltip=depot.name,
        ).add_to(fmap)  # fmt: skip
    centers = depots.set_index("zone_id")[["center_latitude", "center_longitude"]]
    for row in near.itertuples(index=False):
        where = [row.latitude, row.longitude]
        folium.PolyLine(
            [where, centers.loc[row.depot_id].tolist()], color=colors[row.depot_id], weight=1.5,
            dash_array="4 3",
        ).add_to(fmap)  # fmt: skip
        folium.CircleMarker(
            where, radius=6, color="#fff", weight=1.5, fill=True, fill_color=colors[row.depot_id],
            fill_opacity=1, class_name="lab-near-device",
            tooltip=f"{row.device_id}: {row.distance_km:.2f} km from {row.depot_name}, "
            f"{pd.Timestamp(row.event_ts):%Y-%m-%d %H:%M} UTC",
        ).add_to(fmap)  # fmt: skip
    table = pd.DataFrame(
        {
            "device": [html.escape(str(d)) for d in near.device_id],
            "depot": [
                _swatch(colors[d], n) for d, n in zip(near.depot_id, near.depot_name, strict=True)
            ],
            "km": near.distance_km.astype(float),
            "seen at (UTC)": pd.to_datetime(near.event_ts),
        }
    )
    return fmap, _table(table, "table-near-depots")


def violations(entries: pd.DataFrame, zones: pd.DataFrame, o: ReportOptions):
    """Restricted areas, each entry into one marked where and when it happened."""
    fmap = _region_map(zones, o)
    restricted = zones[zones.kind == "restricted_area"]
    features = [_zone_feature(r) for r in restricted.itertuples(index=False)]
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        style_function=lambda f: {
            "color": ZONE_COLORS["restricted_area"], "weight": 2, "fillOpacity": 0.15,
            "className": "lab-zone lab-zone-restricted_area",
        },
        tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
    ).add_to(fmap)  # fmt: skip
    shown = entries.sort_values("entered_at").tail(o.max_lines)
    for row in shown.itertuples(index=False):
        minutes = (pd.Timestamp(row.left_at) - pd.Timestamp(row.entered_at)).total_seconds() / 60
        folium.CircleMarker(
            [row.latitude, row.longitude], radius=5, color="#fff", weight=1, fill=True,
            fill_color="#b71c1c", fill_opacity=0.9, class_name="lab-violation",
            tooltip=f"{row.device_id} entered {row.zone_name} at "
            f"{pd.Timestamp(row.entered_at):%Y-%m-%d %H:%M} UTC, {minutes:.0f} min inside",
        ).add_to(fmap)  # fmt: skip
    per_device = (
        entries.groupby(["device_id", "zone_name"])
        .agg(
            entries=("entered_at", "size"),
            readings=("readings", "sum"),
            first=("entered_at", "min"),
            last=("left_at", "max"),
        )
        .reset_index()
        .sort_values(["entries", "readings"], ascending=False)
        .head(10)
    )
    table = pd.DataFrame(
        {
            "device": [html.escape(str(d)) for d in per_device.device_id],
            "zone": [html.escape(str(z)) for z in per_device.zone_name],
            "entries": per_device.entries,
            "readings": per_device.readings,
            "first entry (UTC)": pd.to_datetime(per_device["first"]),
            "last seen (UTC)": pd.to_datetime(per_device["last"]),
        }
    )
    return fmap, _table(table, "table-violations"), len(shown)


def nearest_depots(nearest: pd.DataFrame, zones: pd.DataFrame, o: ReportOptions):
    """A line from event readings to their nearest depot (the KNN join), coloured by depot."""
    fmap = _region_map(zones, o)
    colors = _depot_colors(zones)
    centers = zones.set_index("zone_id")[["center_latitude", "center_longitude"]]
    ordered = nearest.sort_values(["event_ts", "device_id"], kind="stable").reset_index(drop=True)
    pick = np.unique(np.linspace(0, len(ordered) - 1, min(o.max_lines, len(ordered))).astype(int))
    sample = ordered.iloc[pick] if len(ordered) else ordered
    for row in sample.itertuples(index=False):
        folium.PolyLine(
            [[row.latitude, row.longitude], centers.loc[row.depot_id].tolist()],
            color=colors[row.depot_id], weight=1, opacity=0.6, class_name="lab-knn",
            tooltip=f"{row.device_id} · {row.event_type}: {row.distance_km:.1f} km to "
            f"{row.depot_name}",
        ).add_to(fmap)  # fmt: skip
    for depot in zones[zones.kind == "depot"].itertuples(index=False):
        folium.CircleMarker(
            [depot.center_latitude, depot.center_longitude], radius=6, color="#000", weight=1,
            fill=True, fill_color=colors[depot.zone_id], fill_opacity=1, tooltip=depot.name,
        ).add_to(fmap)  # fmt: skip
    per_depot = (
        nearest.groupby(["depot_id", "depot_name"])
        .distance_km.agg(events="count", mean_km="mean", max_km="max")
        .reset_index()
    )
    table = pd.DataFrame(
        {
            "nearest depot": [
                _swatch(colors[d], n)
                for d, n in zip(per_depot.depot_id, per_depot.depot_name, strict=True)
            ],
            "event readings": per_depot.events,
            "mean km": per_depot.mean_km,
            "max km": per_depot.max_km,
        }
    )
    return fmap, _table(table, "table-nearest-depot"), len(sample)


def build_geo_report(
    answers: dict[str, pd.DataFrame],
    zones: pd.DataFrame,
    within_km: float,
    at: datetime | None = None,
    options: ReportOptions | None = None,
) -> str:
    """The report page's HTML (assets not yet inlined; see ``save_geo_report``)."""
    o = options or ReportOptions()
    summary = answers["fleet_summary"].iloc[0]
    when = f"at {at:%Y-%m-%d %H:%M} UTC" if at else "at their latest reading"
    figure = Figure(title="Fleet geospatial analysis")
    figure.header.add_child(Element(f"<style>{_CSS}</style>"), name="lab_report_css")
    headline = pd.DataFrame(
        {
            "readings": [int(summary.readings)],
            "devices": [int(summary.devices)],
            "event readings": [int(summary.events)],
            "first reading (UTC)": [pd.Timestamp(summary.first_reading)],
            "last reading (UTC)": [pd.Timestamp(summary.last_reading)],
        }
    )
    blocks: list[str | folium.Map] = [
        "<main><h1>Fleet geospatial analysis</h1>"
        '<p class="lead">Sedona SQL over the fleet\'s Iceberg tables: zone joins '
        "(<code>ST_Contains</code>), great-circle distances (<code>ST_DistanceSphere</code>) "
        "and the nearest depot of each event (<code>ST_KNN</code>).</p>"
        + _table(headline, "table-summary")
    ]

    def section(css_id: str, title: str, note: str, fmap: folium.Map, table: str) -> None:
        blocks.extend(
            [
                f'<section id="{css_id}"><h2>{html.escape(title)}</h2>'
                f'<p class="note">{note}</p><div class="cols"><div>',
                fmap,
                f"</div><div>{table}</div></div></section>",
            ]
        )

    fmap, table = events_per_zone(answers["event_counts_by_zone"], zones, o)
    section(
        "events-per-zone", "Events per zone",
        "Event readings (every type but “system ok”) inside each zone; hover a zone for counts.",
        fmap, table,
    )  # fmt: skip
    near = answers["devices_near_depots"]
    fmap, table = near_depots(near, zones, within_km, o)
    section(
        "near-depots", f"Devices within {within_km:g} km of a depot {when}",
        f"{len(near):,} of {int(summary.devices):,} devices; circles are the radius.",
        fmap, table,
    )  # fmt: skip
    entries = answers["restricted_zone_entries"]
    fmap, table, shown = violations(entries, zones, o)
    section(
        "violations", "Restricted-zone violations",
        f"{len(entries):,} entries into restricted areas"
        + (f" (the latest {shown:,} on the map)" if shown < len(entries) else "")
        + "; hover a marker for who entered, when, and for how long.",
        fmap, table,
    )  # fmt: skip
    nearest = answers["nearest_depot"]
    fmap, table, shown = nearest_depots(nearest, zones, o)
    section(
        "nearest-depot", "Nearest depot of each event (KNN)",
        f"{len(nearest):,} event readings"
        + (f", {shown:,} of them drawn evenly over time" if shown < len(nearest) else "")
        + "; each line joins an event to its nearest depot.",
        fmap, table,
    )  # fmt: skip
    blocks.append('<p class="note">Every row of every answer is in the CSVs beside this page.</p>')
    blocks.append("</main>")

    for i, block in enumerate(blocks):
        if isinstance(block, folium.Map):
            # the map renders its <div> under its own name: reserve that slot here, in page order
            figure.html.add_child(Element(""), name=block.get_name())
            figure.add_child(block)
        else:
            figure.html.add_child(Element(block), name=f"lab_block_{i}")
    return figure.render()


def save_geo_report(
    answers: dict[str, pd.DataFrame],
    zones: pd.DataFrame,
    output: Path,
    within_km: float,
    at: datetime | None = None,
    options: ReportOptions | None = None,
) -> Path:
    """Write the report as one HTML file (assets inlined when fetched, see ``MapOptions``)."""
    o = options or ReportOptions()
    page = build_geo_report(answers, zones, within_km, at, o)
    if o.assets == "inline" or (o.assets == "auto" and offline_ready()):
        page = inline_assets(page)
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    partial.write_text(page, encoding="utf-8")
    partial.replace(output)  # a reader never sees half a page
    return output
