"""Zone join: Sedona (``logistics.geo.readings_in_zones``) vs GeoPandas ``sjoin``, same 1M points.

    python bench/bench_geo_join.py                 # 1M points, 3 rounds each
    python bench/bench_geo_join.py --points 200000 --rounds 5

Points are uniform over the service region's bounding box (seeded), so every zone kind gets hits
and most points fall outside every zone, as GPS fixes of a fleet on the road do. Both engines start
from the same longitude/latitude columns already in memory (Spark: a cached DataFrame; GeoPandas:
a pandas frame) and each timed round builds the points, joins them with the 15 zone polygons
(point-in-polygon) and counts the pairs; both counts must agree. The baseline is GeoPandas (one
core, STRtree); Sedona runs on ``local[*]`` (broadcast R-tree index join). A throw-away LAB_HOME
keeps the user's lab untouched.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime

import numpy as np
import pandas as pd


def uniform_points(n: int, seed: int) -> pd.DataFrame:
    """``n`` readings spread uniformly over the zones' bounding box, padded by 10 %."""
    from logistics.fleet import service_zones

    bounds = np.array([z.polygon.bounds for z in service_zones()])
    minx, miny = bounds[:, 0].min(), bounds[:, 1].min()
    maxx, maxy = bounds[:, 2].max(), bounds[:, 3].max()
    padx, pady = 0.1 * (maxx - minx), 0.1 * (maxy - miny)
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "device_id": "device-bench",
            "manufacturer": "bench",
            "event_ts": pd.Timestamp(datetime(2026, 1, 5, tzinfo=UTC)),
            "latitude": rng.uniform(miny - pady, maxy + pady, n),
            "longitude": rng.uniform(minx - padx, maxx + padx, n),
            "event_type": "system ok",
        }
    )


def timed(rounds: int, run: Callable[[], int]) -> tuple[list[float], int]:
    """Wall-clock seconds of each round and the pair count (the same in every round)."""
    seconds, pairs = [], set()
    for _ in range(rounds):
        started = time.perf_counter()
        pairs.add(run())
        seconds.append(time.perf_counter() - started)
    assert len(pairs) == 1, f"rounds disagree: {pairs}"
    return seconds, pairs.pop()


def geopandas_join(points: pd.DataFrame, zones: pd.DataFrame) -> Callable[[], int]:
    import geopandas as gpd

    polygons = gpd.GeoDataFrame(
        zones[["zone_id"]], geometry=gpd.GeoSeries.from_wkt(zones.wkt), crs="EPSG:4326"
    )

    def run() -> int:
        located = gpd.GeoDataFrame(
            points[["device_id", "event_ts"]],
            geometry=gpd.points_from_xy(points.longitude, points.latitude),
            crs="EPSG:4326",
        )
        return len(gpd.sjoin(located, polygons, how="inner", predicate="within"))

    return run


def sedona_join(points: pd.DataFrame, zones: pd.DataFrame) -> tuple[Callable[[], int], str]:
    from logistics import geo
    from logistics.lakehouse import spark_session

    spark = spark_session("bench_geo_join")
    readings = spark.createDataFrame(points).cache()
    readings.count()  # materialise: rounds time the join, not the transfer from pandas
    polygons = spark.createDataFrame(zones)
    return (lambda: geo.readings_in_zones(readings, polygons).count()), spark.sparkContext.master


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    os.environ["LAB_HOME"] = tempfile.mkdtemp(prefix="bench-geo-")

    from logistics.fleet import zones_frame

    points, zones = uniform_points(args.points, args.seed), zones_frame()
    print(f"{len(points):,} points, {len(zones)} zones, {args.rounds} rounds each (after warm-up)")

    gpd_run = geopandas_join(points, zones)
    gpd_run()  # warm-up: imports, STRtree code paths
    gpd_s, gpd_pairs = timed(args.rounds, gpd_run)
    print(f"geopandas sjoin : best {min(gpd_s):6.2f} s, median {statistics.median(gpd_s):6.2f} s"
          f"  ({gpd_pairs:,} pairs, {len(points) / min(gpd_s):,.0f} points/s)")  # fmt: skip

    sedona_run, master = sedona_join(points, zones)
    sedona_run()  # warm-up: JIT, Sedona's first index build, Spark code generation
    sed_s, sed_pairs = timed(args.rounds, sedona_run)
    print(f"sedona {master:<9}: best {min(sed_s):6.2f} s, median {statistics.median(sed_s):6.2f} s"
          f"  ({sed_pairs:,} pairs, {len(points) / min(sed_s):,.0f} points/s)")  # fmt: skip

    assert sed_pairs == gpd_pairs, f"engines disagree: sedona {sed_pairs} vs geopandas {gpd_pairs}"
    ratio = min(gpd_s) / min(sed_s)
    faster = "Sedona faster" if ratio >= 1 else "GeoPandas faster"
    print(f"ratio geopandas/sedona (best times): {ratio:.2f}x ({faster})")


if __name__ == "__main__":
    main()
