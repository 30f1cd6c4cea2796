"""The map the fleet drives on: depots, delivery areas and restricted areas, and road-like routes.

Why a fixed layout: zones are reference data that every step (maps, Sedona joins, tests) must agree
on, so they do not depend on the telemetry seed. Routes follow a Manhattan grid (one leg along a
meridian, one along a parallel) because trucks follow roads, not great circles.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from shapely.geometry import Point, Polygon, box

REGION_CENTER = (37.55, -121.95)  # lat, lon: a one-degree service region
KM_PER_DEG_LAT = 111.2


@dataclass(frozen=True)
class Zone:
    """A named polygon of the service region."""

    zone_id: str
    name: str
    kind: str  # depot | delivery_area | restricted_area
    polygon: Polygon

    @property
    def center(self) -> tuple[float, float]:
        c = self.polygon.centroid
        return c.y, c.x


def _around(lat: float, lon: float, radius_km: float, sides: int) -> Polygon:
    """A regular polygon of about ``radius_km`` around a point, in lon/lat degrees."""
    dlat = radius_km / KM_PER_DEG_LAT
    dlon = radius_km / (KM_PER_DEG_LAT * math.cos(math.radians(lat)))
    angles = np.linspace(0, 2 * np.pi, sides, endpoint=False) + np.pi / sides
    return Polygon(zip(lon + dlon * np.cos(angles), lat + dlat * np.sin(angles), strict=True))


def _offset(dlat_km: float, dlon_km: float) -> tuple[float, float]:
    lat0, lon0 = REGION_CENTER
    return (
        lat0 + dlat_km / KM_PER_DEG_LAT,
        lon0 + dlon_km / (KM_PER_DEG_LAT * math.cos(math.radians(lat0))),
    )


def service_zones() -> list[Zone]:
    """Four depots, eight delivery areas and three restricted areas (fixed layout)."""
    zones: list[Zone] = []
    depots = [(-30, -30), (-30, 30), (30, -30), (30, 30)]
    for i, (dy, dx) in enumerate(depots, start=1):
        lat, lon = _offset(dy, dx)
        zones.append(Zone(f"depot-{i}", f"Depot {i}", "depot", _around(lat, lon, 0.6, 4)))
    areas = [(-45, 0), (0, -45), (0, 45), (45, 0), (-10, -12), (12, 10), (-42, 40), (40, -42)]
    for i, (dy, dx) in enumerate(areas, start=1):
        lat, lon = _offset(dy, dx)
        zones.append(
            Zone(f"area-{i}", f"Delivery area {i}", "delivery_area", _around(lat, lon, 6.0, 6))
        )
    restricted = [
        ("restricted-1", "Low emission zone", _around(*_offset(0, 0), 5.0, 8)),
        ("restricted-2", "School district", _around(*_offset(-30, 0), 3.0, 8)),
        (
            "restricted-3",
            "Airport perimeter",
            box(*_offset_box(10, 35, 20, 50)),  # on the road from depot 4 to area 3
        ),
    ]
    zones += [Zone(zid, name, "restricted_area", poly) for zid, name, poly in restricted]
    return zones


def _offset_box(y0: float, x0: float, y1: float, x1: float) -> tuple[float, float, float, float]:
    lat0, lon0 = _offset(y0, x0)
    lat1, lon1 = _offset(y1, x1)
    return lon0, lat0, lon1, lat1


def zones_frame() -> pd.DataFrame:
    """The ``zones`` table: one row per zone with its WKT polygon (lon/lat order, as WKT wants)."""
    rows = [
        {
            "zone_id": z.zone_id,
            "name": z.name,
            "kind": z.kind,
            "wkt": z.polygon.wkt,
            "center_latitude": z.center[0],
            "center_longitude": z.center[1],
        }
        for z in service_zones()
    ]
    return pd.DataFrame(rows)


def random_point_in(polygon: Polygon, rng: np.random.Generator) -> tuple[float, float]:
    """A uniform (lat, lon) inside ``polygon`` by rejection sampling on its bounding box."""
    minx, miny, maxx, maxy = polygon.bounds
    for _ in range(100):
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if polygon.contains(Point(x, y)):
            return y, x
    c = polygon.centroid
    return c.y, c.x


def leg_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Road (Manhattan) distance in km between two (lat, lon) points."""
    dlat = abs(a[0] - b[0]) * KM_PER_DEG_LAT
    dlon = abs(a[1] - b[1]) * KM_PER_DEG_LAT * math.cos(math.radians((a[0] + b[0]) / 2))
    return dlat + dlon
