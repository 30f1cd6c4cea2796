"""Zone join: Sedona (``logistics.geo.readings_in_zones``) vs GeoPandas ``sjoin``, 1M and 10M points

    python bench/bench_geo_join.py                           # 1M and 10M points, 3 rounds each
    python bench/bench_geo_join.py --points 200000 --rounds 5

Points are uniform over the service region's bounding box (seeded), so every zone kind gets hits
and most points fall outside every zone, as GPS fixes of a fleet on the road do. Both engines start
from the same longitude/latitude columns already in memory (Spark: a cached DataFrame read from a
Parquet file of the points, so ten million rows never cross from Python to the JVM; GeoPandas: a
pandas frame) and each timed round builds the points, joins them with the 15 zone polygons
(point-in-polygon) and counts the pairs; every count must agree.

Three rows per size, all in the same run: GeoPandas (one core, STRtree), the baseline;
"sedona plain join", the query as ``readings_in_zones`` used to write it (every reading made a
point, the planner choosing the join); and ``readings_in_zones`` itself (readings outside every
zone's bounding box dropped before any point is built, zones broadcast as one R-tree). Sedona runs
on ``local[*]``. A throw-away LAB_HOME keeps the user's lab untouched.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

START = datetime(2026, 1, 5, tzinfo=UTC)


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
            "event_ts": pd.Timestamp(START),
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


def spark_readings(spark, points: pd.DataFrame, folder: Path):
    """The points as a cached Spark DataFrame with the telemetry's reading columns."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from pyspark.sql import functions as F

    path = folder / f"points-{len(points)}.parquet"
    pq.write_table(pa.table({c: points[c].to_numpy() for c in ("latitude", "longitude")}), path)
    readings = spark.read.parquet(str(path)).select(
        F.lit("device-bench").alias("device_id"),
        F.lit("bench").alias("manufacturer"),
        F.lit(START).alias("event_ts"),
        "latitude",
        "longitude",
        F.lit("system ok").alias("event_type"),
    )
    readings = readings.cache()
    readings.count()  # materialise: rounds time the join, not the read
    return readings


def plain_join(readings, polygons) -> int:
    """The zone join as first written: a point for every reading, the planner's choice of join."""
    from pyspark.sql import functions as F

    r = readings.withColumn("point", F.expr("ST_Point(longitude, latitude)")).alias("r")
    z = polygons.select("zone_id", F.expr("ST_GeomFromWKT(wkt)").alias("polygon")).alias("z")
    return r.join(z, F.expr("ST_Contains(z.polygon, r.point)")).count()


def report(label: str, seconds: list[float], pairs: int, n: int) -> None:
    print(f"  {label:<22}: best {min(seconds):6.2f} s, median {statistics.median(seconds):6.2f} s"
          f"  ({pairs:,} pairs, {n / min(seconds):,.0f} points/s)", flush=True)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", default="1000000,10000000", help="sizes, comma separated")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="bench-geo-"))
    os.environ["LAB_HOME"] = str(home)

    from logistics import geo
    from logistics.fleet import zones_frame
    from logistics.lakehouse import spark_session

    spark = spark_session("bench_geo_join")
    zones = zones_frame()
    polygons = spark.createDataFrame(zones)
    master = spark.sparkContext.master
    for n in (int(x) for x in args.points.split(",")):
        points = uniform_points(n, args.seed)
        print(f"{n:,} points, {len(zones)} zones, {args.rounds} rounds each (after warm-up), "
              f"load average {os.getloadavg()[0]:.1f}", flush=True)  # fmt: skip
        gpd_run = geopandas_join(points, zones)
        gpd_run()  # warm-up: imports, STRtree code paths
        gpd_s, gpd_pairs = timed(args.rounds, gpd_run)
        report("geopandas sjoin", gpd_s, gpd_pairs, n)

        readings = spark_readings(spark, points, home)
        del points
        runs = {
            f"sedona plain join {master}": lambda r=readings: plain_join(r, polygons),
            f"sedona {master}": lambda r=readings: geo.readings_in_zones(r, polygons).count(),
        }
        best = {}
        for label, run in runs.items():
            run()  # warm-up: JIT, Sedona's first index build, Spark code generation
            seconds, pairs = timed(args.rounds, run)
            report(label, seconds, pairs, n)
            assert pairs == gpd_pairs, f"{label} disagrees: {pairs} vs geopandas {gpd_pairs}"
            best[label] = min(seconds)
        readings.unpersist()
        for label, seconds in best.items():
            ratio = min(gpd_s) / seconds
            faster = "Sedona faster" if ratio >= 1 else "GeoPandas faster"
            print(f"  ratio geopandas/{label}: {ratio:.2f}x ({faster})", flush=True)
        print(f"  load average after: {os.getloadavg()[0]:.1f}", flush=True)
    spark.stop()


if __name__ == "__main__":
    main()
