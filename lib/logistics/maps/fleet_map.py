"""The fleet map of step 01A: events, trajectories, zones and event heat in one Folium page.

Why Folium: the upstream lab uses it, and its HTML opens anywhere without a server. Each layer has
a CSS class (``lab-basemap``, ``lab-event``, ``lab-trajectory``, ``lab-position``, ``lab-zone``) so
tests and users can find what was drawn. With fetched web assets the page is self-contained and
needs no internet: the vendored county boundaries and towns are its basemap, and OpenStreetMap
tiles, when the browser can reach them, are drawn over it (``MapOptions(tiles=None)`` leaves them
out).
Trajectories are one layer per manufacturer, one colour per truck, and a time slider moves every
truck's position along its route.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import folium
import pandas as pd
from branca.element import MacroElement
from folium.plugins import HeatMap, MarkerCluster, TimestampedGeoJson
from folium.template import Template
from folium.utilities import JsCode
from shapely import wkt as shapely_wkt
from shapely.geometry import mapping

from logistics.maps.assets import inline_assets, offline_ready
from logistics.maps.basemap import Bounds, region_boundaries, region_places
from logistics.maps.layers import (
    heat_grid,
    positions_over_time,
    select_event_markers,
    slider_step,
    trajectories,
)
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
# matplotlib's tab20 (grey pair left out): routes stay apart at a glance; more trucks repeat colours
_ROUTE_PALETTE = (
    "#1f77b4", "#aec7e8", "#ff7f0e", "#ffbb78", "#2ca02c", "#98df8a", "#d62728", "#ff9896",
    "#9467bd", "#c5b0d5", "#8c564b", "#c49c94", "#e377c2", "#f7b6d2", "#bcbd22", "#dbdb8d",
    "#17becf", "#9edae5",
)  # fmt: skip
BASEMAP_PANE = "basemap"  # under Leaflet's tile pane (z-index 200): tiles, when they load, cover it
# The time slider's buttons in Font Awesome (inlined with every map) instead of Bootstrap 3's
# Glyphicons, which no npm package ships
_SLIDER_ICONS = {
    "play": "f04b", "play.reverse": "f04b", "play.pause": "f04c", "play.reverse.pause": "f04c",
    "date.loading": "f110", "speed": "f625", "stop": "f04d", "forward": "f051",
    "backward": "f048", "loop": "f01e",
}  # fmt: skip
_SLIDER_CSS = (
    ".folium-map .leaflet-bar-timecontrol .leaflet-control-timecontrol:before{font-family:"
    '"Font Awesome 6 Free";font-weight:900}'
    + "".join(
        f'.folium-map .leaflet-bar-timecontrol .timecontrol-{button}:before{{content:"\\{code}"}}'
        for button, code in _SLIDER_ICONS.items()
    )
)
_BLANK_TILE = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"

AssetMode = Literal["auto", "inline", "cdn"]


@dataclass(frozen=True)
class MapOptions:
    """How much a map shows and where its scripts come from.

    ``assets``: "inline" embeds local copies (fails if not fetched), "cdn" links public CDNs, "auto"
    inlines when the copies are there. ``tiles`` is a Folium tile name drawn over the offline
    basemap, or None for none (a page that makes no network request at all). ``basemap=False``
    leaves the county boundaries out and ``max_positions=0`` the time slider (the map as it was
    before either, which the benchmark compares against).

    Example::

        MapOptions(max_markers=500, tiles=None, assets="inline")
    """

    max_markers: int = 1500
    route_tolerance_deg: float = 0.0005
    heat_cell_deg: float = 0.005
    max_positions: int = 3000
    basemap: bool = True
    tiles: str | None = "OpenStreetMap"
    assets: AssetMode = "auto"
    seed: int = 0


class PageStyle(MacroElement):
    """CSS a layer needs, put in the head of whichever page holds the map when it renders.

    Why not the map's own figure: a report moves several maps into one page of its own.
    """

    _template = Template(
        "{% macro header(this, kwargs) %}<style>{{ this.css }}</style>{% endmacro %}"
    )

    def __init__(self, css: str) -> None:
        super().__init__()
        self._name = "PageStyle"
        self.css = css


def device_colors(devices: pd.Series) -> dict[str, str]:
    """One palette colour per device id, by sorted id: the same truck has the same colour on every
    layer (route, slider position) and in every map of the same fleet."""
    ids = sorted({str(d) for d in devices})
    return {d: _ROUTE_PALETTE[i % len(_ROUTE_PALETTE)] for i, d in enumerate(ids)}


# each county's name at its centre, as the places a dispatcher reads
_COUNTY_LABEL = """function (feature, layer) {
  if (feature.properties.layer === "counties") {
    layer.bindTooltip(feature.properties.name,
      {permanent: true, direction: "center", className: "lab-basemap-label"});
  }
}"""


def _basemap_style(feature: dict) -> dict:
    if feature["properties"]["layer"] == "states":  # the land; what it leaves out is water
        return {"color": "#b0a999", "weight": 0.5, "fillColor": "#f2efe9", "fillOpacity": 1}
    return {
        "color": "#8d8d8d",
        "weight": 1,
        "dashArray": "4 3",
        "fill": False,
        "className": "lab-basemap lab-basemap-county",
    }


# each town a dot, its name beside it; names only from PLACE_LABEL_ZOOM on, where they fit
_PLACE_LABEL = """function (feature, layer) {
  layer.bindTooltip(feature.properties.name,
    {permanent: true, direction: "right", offset: [3, 0], className: "lab-place-label"});
}"""
PLACE_LABEL_ZOOM = 11
_PLACE_STYLE = {
    "pane": BASEMAP_PANE,
    "radius": 2.5,
    "color": "#6d6a63",
    "weight": 1,
    "fillColor": "#fff",
    "fillOpacity": 1,
    "className": "lab-basemap-place",
}


class ZoomClass(MacroElement):
    """Marks the map's container ``lab-zoomed-in`` from ``min_zoom`` on, so CSS can show what only
    fits when zoomed in (the towns' names)."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (map) {
          const mark = () => map.getContainer().classList.toggle(
              "lab-zoomed-in", map.getZoom() >= {{ this.min_zoom }});
          map.on("zoomend", mark);
          map.whenReady(mark);
        })({{ this._parent.get_name() }});
        {% endmacro %}"""
    )

    def __init__(self, min_zoom: int) -> None:
        super().__init__()
        self._name = "ZoomClass"
        self.min_zoom = min_zoom


class Credit(MacroElement):
    """A line in the map's attribution control: what the basemap's licences ask of every map."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.text|tojson }});
        {% endmacro %}"""
    )

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Credit"
        self.text = text


BASEMAP_CREDIT = "Boundaries: U.S. Census Bureau · Towns: GeoNames (CC BY 4.0)"


def add_basemap(fmap: folium.Map, tiles: str | None, bounds: Bounds | None = None) -> None:
    """The offline boundaries in a pane under the tiles, and the tiles (if any) over them.

    Why this order: tiles are opaque, so online they simply cover the boundaries; offline each tile
    fails to load and turns into a transparent pixel, and the boundaries show through.
    """
    folium.map.CustomPane(BASEMAP_PANE, z_index=150, pointer_events=False).add_to(fmap)
    folium.GeoJson(
        region_boundaries(bounds),
        name="Basemap: counties (U.S. Census)",
        style_function=_basemap_style,
        on_each_feature=JsCode(_COUNTY_LABEL),
        pane=BASEMAP_PANE,
        control=False,
    ).add_to(fmap)
    folium.GeoJson(
        region_places(bounds),
        name="Basemap: towns (GeoNames)",
        marker=folium.CircleMarker(),
        style_function=lambda feature: _PLACE_STYLE,
        on_each_feature=JsCode(_PLACE_LABEL),
        pane=BASEMAP_PANE,
        control=False,
    ).add_to(fmap)
    ZoomClass(PLACE_LABEL_ZOOM).add_to(fmap)
    Credit(BASEMAP_CREDIT).add_to(fmap)
    PageStyle(
        ".leaflet-tooltip.lab-basemap-label{background:none;border:none;box-shadow:none;"
        "color:#77736a;font:italic 13px sans-serif}"
        ".leaflet-tooltip.lab-basemap-label::before{display:none}"
        ".leaflet-tooltip.lab-place-label{display:none;background:none;border:none;"
        "box-shadow:none;padding:0;color:#4a4740;font:11px sans-serif;"
        "text-shadow:0 0 2px #fff,0 0 2px #fff}"
        ".leaflet-tooltip.lab-place-label::before{display:none}"
        ".lab-zoomed-in .leaflet-tooltip.lab-place-label{display:block}"
        ".folium-map.leaflet-container{background:#d4e6f1}"
    ).add_to(fmap)
    if tiles:
        folium.TileLayer(tiles, name=tiles, overlay=True, errorTileUrl=_BLANK_TILE).add_to(fmap)


def _add_trajectories(fmap: folium.Map, telemetry: pd.DataFrame, o: MapOptions) -> None:
    """One layer of routes per manufacturer, each truck in its own colour."""
    colors = device_colors(telemetry["device_id"])
    routes = trajectories(telemetry, o.route_tolerance_deg)
    makers = telemetry.groupby("device_id")["manufacturer"].first()
    for maker, devices in makers.groupby(makers, sort=True):
        group = folium.FeatureGroup(name=f"Trajectories: {maker} ({len(devices)})")
        for device in devices.index:
            if str(device) not in routes:
                continue
            folium.PolyLine(
                routes[str(device)],
                color=colors[str(device)],
                weight=2.5,
                opacity=0.8,
                tooltip=f"{device} · {maker}",
                class_name="lab-trajectory",
            ).add_to(group)
        group.add_to(fmap)


def _iso_period(step: pd.Timedelta) -> str:
    """An ISO 8601 duration as Leaflet.TimeDimension reads it: P1D, PT3H, PT15M."""
    minutes = int(step.total_seconds() // 60)
    if minutes % 1440 == 0:
        return f"P{minutes // 1440}D"
    return f"PT{minutes // 60}H" if minutes % 60 == 0 else f"PT{minutes}M"


def _add_position_slider(fmap: folium.Map, telemetry: pd.DataFrame, o: MapOptions) -> None:
    """Every truck's position per time step, played by Leaflet.TimeDimension's slider."""
    step = slider_step(telemetry, o.max_positions)
    colors = device_colors(telemetry["device_id"])
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [row.longitude, row.latitude]},
            "properties": {
                "times": [f"{pd.Timestamp(row.event_ts):%Y-%m-%dT%H:%M:%SZ}"],
                "icon": "circle",
                "tooltip": f"{row.device_id} · {row.event_type}",
                "iconstyle": {
                    "radius": 8,  # larger than event markers, with a dark ring: "the truck"
                    "color": "#212121",
                    "weight": 2.5,
                    "fillColor": colors[str(row.device_id)],
                    "fillOpacity": 1,
                    "className": "lab-position",
                },
            },
        }
        for row in positions_over_time(telemetry, step).itertuples(index=False)
    ]
    TimestampedGeoJson(
        {"type": "FeatureCollection", "features": features},
        period=_iso_period(step),
        # a point shows while the time is within `duration` after it: one step, less its end
        duration=_iso_period(step - pd.Timedelta(minutes=1)),
        add_last_point=False,
        auto_play=False,
        loop=False,
        date_options="YYYY-MM-DD HH:mm [UTC]",
        time_slider_drag_update=True,
    ).add_to(fmap)
    PageStyle(_SLIDER_CSS).add_to(fmap)


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
    fmap = folium.Map(tiles=None, max_zoom=18, maxZoom=18, control_scale=True)
    if o.basemap:
        add_basemap(fmap, o.tiles)
    elif o.tiles:
        folium.TileLayer(o.tiles).add_to(fmap)
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

    _add_trajectories(fmap, telemetry, o)

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
    if o.max_positions > 0:
        _add_position_slider(fmap, telemetry, o)

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
