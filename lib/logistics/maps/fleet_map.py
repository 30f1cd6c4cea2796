"""The fleet map of step 01A: events, trajectories, zones and event heat in one Folium page.

Why Folium: the upstream lab uses it, and its HTML opens anywhere without a server. Each layer has
a CSS class (``lab-event``, ``lab-trajectory``, ``lab-zone``) so tests and users can find what was
drawn. With fetched web assets the page is self-contained and needs no internet (except map tiles,
which ``MapOptions(tiles=None)`` leaves out).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import folium
import pandas as pd
from folium.plugins import HeatMap, MarkerCluster
from shapely import wkt as shapely_wkt
from shapely.geometry import mapping

from logistics.maps.assets import inline_assets, offline_ready
from logistics.maps.layers import heat_grid, select_event_markers, trajectories
from logistics.settings import get_settings
from logistics.telemetry_schema import (
    DEVICE_ERROR,
    SIGNALS,
    SYSTEM_MALFUNCTION,
    SYSTEM_OK,
    TANK_BELOW_5,
    TANK_BELOW_10,
)

EVENT_COLORS = {
    SYSTEM_OK: "#2e7d32",
    TANK_BELOW_10: "#f9a825",
    TANK_BELOW_5: "#ef6c00",
    DEVICE_ERROR: "#6a1b9a",
    SYSTEM_MALFUNCTION: "#c62828",
}
ZONE_COLORS = {"depot": "#1565c0", "delivery_area": "#00897b", "restricted_area": "#d32f2f"}
# eight of matplotlib's tab10: routes stay apart at a glance; more devices repeat colours
_ROUTE_PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#bcbd22",
)

AssetMode = Literal["auto", "inline", "cdn"]


@dataclass(frozen=True)
class MapOptions:
    """How much a map shows and where its scripts come from.

    ``assets``: "inline" embeds local copies (fails if not fetched), "cdn" links public CDNs, "auto"
    inlines when the copies are there. ``tiles`` is a Folium tile name, or None for no basemap
    (a page that makes no network request at all).

    Example::

        MapOptions(max_markers=500, tiles=None, assets="inline")
    """

    max_markers: int = 1500
    route_tolerance_deg: float = 0.0005
    heat_cell_deg: float = 0.005
    tiles: str | None = "OpenStreetMap"
    assets: AssetMode = "auto"
    seed: int = 0


def _popup(row: pd.Series) -> folium.Popup:
    signals = "".join(f"<tr><td>{name}</td><td>{row[name]:.2f}</td></tr>" for name in SIGNALS)
    when = pd.Timestamp(row["event_ts"])
    body = (
        f"<b>{html.escape(str(row['device_id']))}</b> · {html.escape(str(row['manufacturer']))}<br>"
        f"{html.escape(str(row['event_type']))}<br>{when:%Y-%m-%d %H:%M} UTC"
        f"<table>{signals}<tr><td>fuel_level</td><td>{row['fuel_level']:.1f} %</td></tr></table>"
    )
    return folium.Popup(body, max_width=260)


def _zones_geojson(zones: pd.DataFrame) -> dict:
    features = [
        {
            "type": "Feature",
            "geometry": mapping(shapely_wkt.loads(row.wkt)),
            "properties": {"zone_id": row.zone_id, "name": row.name, "kind": row.kind},
        }
        for row in zones.itertuples(index=False)
    ]
    return {"type": "FeatureCollection", "features": features}


def _zone_style(feature: dict) -> dict:
    color = ZONE_COLORS.get(feature["properties"]["kind"], "#555555")
    return {
        "color": color,
        "fillColor": color,
        "weight": 2,
        "fillOpacity": 0.15,
        "className": f"lab-zone lab-zone-{feature['properties']['kind']}",
    }


def _legend() -> folium.Element:
    items = "".join(
        f'<div><span style="background:{color}"></span>{html.escape(kind)}</div>'
        for kind, color in EVENT_COLORS.items()
    )
    return folium.Element(
        "<style>.lab-legend{position:absolute;bottom:28px;right:10px;z-index:1000;background:#fff;"
        "padding:6px 8px;font:12px sans-serif;border-radius:4px;box-shadow:0 1px 4px #0004}"
        ".lab-legend span{display:inline-block;width:10px;height:10px;border-radius:50%;"
        f'margin-right:6px}}</style><div class="lab-legend"><b>event type</b>{items}</div>'
    )


def build_fleet_map(
    telemetry: pd.DataFrame, zones: pd.DataFrame, options: MapOptions | None = None
) -> folium.Map:
    """A Folium map of ``telemetry`` (fleet_telemetry columns) over ``zones`` (the zones table)."""
    o = options or MapOptions()
    if telemetry.empty:
        raise ValueError("no telemetry to map")
    # maxZoom on the map itself: marker clustering needs it even when there is no tile layer
    fmap = folium.Map(tiles=o.tiles, max_zoom=18, maxZoom=18, control_scale=True)
    fmap.fit_bounds(
        [
            [telemetry.latitude.min(), telemetry.longitude.min()],
            [telemetry.latitude.max(), telemetry.longitude.max()],
        ]
    )

    folium.GeoJson(
        _zones_geojson(zones),
        name="Zones",
        style_function=_zone_style,
        tooltip=folium.GeoJsonTooltip(fields=["name", "kind"]),
    ).add_to(fmap)

    routes = folium.FeatureGroup(name="Trajectories")
    for i, (device, points) in enumerate(trajectories(telemetry, o.route_tolerance_deg).items()):
        folium.PolyLine(
            points,
            color=_ROUTE_PALETTE[i % len(_ROUTE_PALETTE)],
            weight=2,
            opacity=0.7,
            tooltip=device,
            class_name="lab-trajectory",
        ).add_to(routes)
    routes.add_to(fmap)

    HeatMap(
        heat_grid(telemetry, o.heat_cell_deg),
        name="Event heat",
        radius=18,
        blur=22,
        min_opacity=0.3,
    ).add_to(fmap)

    cluster = MarkerCluster(name="Events", options={"maxClusterRadius": 40})
    for _, row in select_event_markers(telemetry, o.max_markers, seed=o.seed).iterrows():
        color = EVENT_COLORS.get(row["event_type"], "#555555")
        folium.CircleMarker(
            [row["latitude"], row["longitude"]],
            radius=6,
            color=color,
            fill_color=color,
            fill_opacity=0.85,
            weight=1,
            popup=_popup(row),
            class_name="lab-event",
        ).add_to(cluster)
    cluster.add_to(fmap)

    folium.LayerControl(collapsed=False).add_to(fmap)
    fmap.get_root().html.add_child(_legend())
    return fmap


def render_html(fmap: folium.Map, assets: AssetMode = "auto") -> str:
    """The page's HTML, with CDN assets inlined from local copies when ``assets`` asks for it."""
    page = fmap.get_root().render()
    if assets == "inline" or (assets == "auto" and offline_ready()):
        return inline_assets(page)
    return page


def save_fleet_map(
    telemetry: pd.DataFrame,
    zones: pd.DataFrame,
    output: Path | None = None,
    options: MapOptions | None = None,
) -> Path:
    """Build the map and write it as HTML (default under LAB_HOME/reports); returns the path."""
    o = options or MapOptions()
    path = output or get_settings().reports_dir / "fleet_map.html"
    page = render_html(build_fleet_map(telemetry, zones, o), o.assets)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path
