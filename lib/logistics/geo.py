"""Geospatial questions about the fleet, answered with Sedona SQL in the lab's one Spark session.

Why Sedona: the zone joins run where the telemetry lives (Iceberg, read by Spark) and scale with the
cluster; Sedona plans ``ST_Contains`` joins as broadcast R-tree index joins and ``ST_KNN`` as a KNN
join, instead of the cross products plain Spark would run. Every function takes the
``fleet_telemetry`` and ``zones`` DataFrames (see ``logistics.lakehouse.spark_table``) and returns a
DataFrame, so callers choose what to collect, show or save.

Coordinates are WGS84 longitude/latitude; distances are great-circle kilometres
(``ST_DistanceSphere``, mean Earth radius), which is what a dispatcher means by "within 5 km".
"""

from __future__ import annotations

import operator
from datetime import datetime
from functools import reduce
from pathlib import Path
from typing import TYPE_CHECKING

from pyspark.sql import Window
from pyspark.sql import functions as F

from logistics.telemetry_schema import SYSTEM_OK

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.sql import Column, DataFrame

_READING_COLUMNS = ("device_id", "manufacturer", "event_ts", "latitude", "longitude", "event_type")


def _points(telemetry: DataFrame) -> DataFrame:
    return telemetry.select(*_READING_COLUMNS).withColumn(
        "point", F.expr("ST_Point(longitude, latitude)")
    )


def _polygons(zones: DataFrame) -> DataFrame:
    return zones.select(
        F.col("zone_id"),
        F.col("name").alias("zone_name"),
        F.col("kind").alias("zone_kind"),
        F.expr("ST_GeomFromWKT(wkt)").alias("polygon"),
    )


def _depots(zones: DataFrame) -> DataFrame:
    """The depots as a small in-memory table of centre points.

    Why materialised: they are a handful of reference rows, and a KNN join must see its object side
    as plain rows (a filter pushed into the object side would change the answer's meaning).
    """
    rows = (
        zones.where(F.col("kind") == "depot")
        .select(
            F.col("zone_id").alias("depot_id"),
            F.col("name").alias("depot_name"),
            F.col("center_latitude").alias("depot_latitude"),
            F.col("center_longitude").alias("depot_longitude"),
        )
        .collect()
    )
    spark = zones.sparkSession
    schema = "depot_id string, depot_name string, depot_latitude double, depot_longitude double"
    return spark.createDataFrame(rows, schema).withColumn(
        "depot_point", F.expr("ST_Point(depot_longitude, depot_latitude)")
    )


def _inside_an_envelope(polygons: DataFrame) -> Column:
    """True where a reading's longitude/latitude falls in the bounding box of some zone.

    Why: most readings are on the road between zones. Comparing two doubles against a handful of
    boxes drops them before a geometry is built, serialised and looked up for each of them (what
    the spatial join spends its time on), and the same condition prunes Iceberg files. A point a
    polygon contains is inside its bounding box, so the join's answer does not change.
    """
    boxes = polygons.select(
        *[F.expr(f"ST_{edge}(polygon)").alias(edge) for edge in ("XMin", "XMax", "YMin", "YMax")]
    ).collect()
    return reduce(
        operator.or_,
        [
            F.col("longitude").between(box.XMin, box.XMax)
            & F.col("latitude").between(box.YMin, box.YMax)
            for box in boxes
        ],
        F.lit(False),
    )


def readings_in_zones(telemetry: DataFrame, zones: DataFrame) -> DataFrame:
    """Every reading paired with each zone that contains it (an ``ST_Contains`` spatial join).

    The zones are few: they are broadcast as one R-tree to every task (Sedona's broadcast index
    join) instead of both sides being spatially partitioned and shuffled.
    """
    polygons = _polygons(zones)
    candidates = telemetry.where(_inside_an_envelope(polygons))
    r, z = _points(candidates).alias("r"), F.broadcast(polygons.alias("z"))
    joined = r.join(z, F.expr("ST_Contains(z.polygon, r.point)"))
    return joined.select(*[f"r.{c}" for c in _READING_COLUMNS], "zone_id", "zone_name", "zone_kind")


def events_in_zones(telemetry: DataFrame, zones: DataFrame) -> DataFrame:
    """Event readings (anything but "system ok") inside each zone, with the zone they fall in."""
    return readings_in_zones(telemetry.where(F.col("event_type") != SYSTEM_OK), zones)


def event_counts_by_zone(telemetry: DataFrame, zones: DataFrame) -> DataFrame:
    """Readings per zone and event type ("system ok" included, as the baseline to compare with)."""
    return (
        readings_in_zones(telemetry, zones)
        .groupBy("zone_id", "zone_name", "zone_kind", "event_type")
        .agg(F.count(F.lit(1)).alias("readings"))
        .orderBy("zone_id", "event_type")
    )


def restricted_zone_violations(telemetry: DataFrame, zones: DataFrame) -> DataFrame:
    """Per device and restricted area: how many readings were inside, first and last seen there."""
    restricted = zones.where(F.col("kind") == "restricted_area")
    return (
        readings_in_zones(telemetry, restricted)
        .groupBy("device_id", "zone_id", "zone_name")
        .agg(
            F.count(F.lit(1)).alias("readings"),
            F.min("event_ts").alias("first_seen"),
            F.max("event_ts").alias("last_seen"),
        )
        .orderBy("device_id", "zone_id")
    )


def last_positions(telemetry: DataFrame, at: datetime | None = None) -> DataFrame:
    """Each device's latest reading at or before ``at`` (default: its latest reading)."""
    rows = telemetry if at is None else telemetry.where(F.col("event_ts") <= F.lit(at))
    latest = Window.partitionBy("device_id").orderBy(F.col("event_ts").desc())
    return (
        rows.select(*_READING_COLUMNS)
        .withColumn("rank", F.row_number().over(latest))
        .where(F.col("rank") == 1)
        .drop("rank")
    )


def devices_near_depots(
    telemetry: DataFrame, zones: DataFrame, within_km: float, at: datetime | None = None
) -> DataFrame:
    """Devices whose position at ``at`` is within ``within_km`` great-circle km of a depot."""
    if within_km <= 0:
        raise ValueError(f"within_km must be > 0, got {within_km}")
    positions = _points(last_positions(telemetry, at))
    distance = F.expr("ST_DistanceSphere(point, depot_point) / 1000.0")
    return (
        positions.crossJoin(F.broadcast(_depots(zones)))
        .withColumn("distance_km", distance)
        .where(F.col("distance_km") <= within_km)
        .select(
            "device_id",
            "event_ts",
            "latitude",
            "longitude",
            "depot_id",
            "depot_name",
            "distance_km",
        )
        .orderBy("depot_id", "distance_km")
    )


def nearest_depot(telemetry: DataFrame, zones: DataFrame) -> DataFrame:
    """For every event reading, the nearest depot (spheroid ``ST_KNN`` join, k = 1) and how far."""
    events = _points(telemetry.where(F.col("event_type") != SYSTEM_OK)).alias("e")
    depots = _depots(zones).alias("d")
    joined = events.join(depots, F.expr("ST_KNN(e.point, d.depot_point, 1, true)"))
    return joined.select(
        *[f"e.{c}" for c in _READING_COLUMNS],
        "depot_id",
        "depot_name",
        F.expr("ST_DistanceSphere(e.point, d.depot_point) / 1000.0").alias("distance_km"),
    )


def fleet_geo_answers(
    telemetry: DataFrame, zones: DataFrame, within_km: float = 5.0, at: datetime | None = None
) -> dict[str, DataFrame]:
    """Every question of step 01B, by the name its saved table gets."""
    return {
        "events_in_zones": events_in_zones(telemetry, zones),
        "event_counts_by_zone": event_counts_by_zone(telemetry, zones),
        "devices_near_depots": devices_near_depots(telemetry, zones, within_km, at),
        "nearest_depot": nearest_depot(telemetry, zones),
        "restricted_zone_violations": restricted_zone_violations(telemetry, zones),
    }


def save_answers(
    answers: dict[str, pd.DataFrame], folder: Path, html_rows: int = 200
) -> list[Path]:
    """One CSV per answer plus one HTML page showing them all; returns the paths written.

    The page shows the first ``html_rows`` rows of long tables (the CSVs hold every row), so it
    stays light enough to open in a browser.
    """
    folder.mkdir(parents=True, exist_ok=True)
    paths, sections = [], []
    for name, frame in answers.items():
        path = folder / f"{name}.csv"
        frame.to_csv(path, index=False)
        paths.append(path)
        note = f" (first {html_rows} of {len(frame):,} rows)" if len(frame) > html_rows else ""
        sections.append(
            f"<h2>{name.replace('_', ' ')}{note}</h2>"
            f"{frame.head(html_rows).to_html(index=False, float_format=lambda v: f'{v:.3f}')}"
        )
    page = folder / "geospatial_analysis.html"
    page.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Fleet geospatial analysis</title>"
        "<style>body{font:14px sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:2px 6px}</style></head><body>"
        f"<h1>Fleet geospatial analysis</h1>{''.join(sections)}</body></html>",
        encoding="utf-8",
    )
    return [*paths, page]
