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
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import reduce
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from pyspark.sql import Window
from pyspark.sql import functions as F

from logistics.telemetry_schema import SYSTEM_OK

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.sql import Column, DataFrame

_READING_COLUMNS = ("device_id", "manufacturer", "event_ts", "latitude", "longitude", "event_type")


def select_readings(
    telemetry: DataFrame, devices: Sequence[str] | None = None, day: date | None = None
) -> DataFrame:
    """The readings of some devices and/or one UTC day (all of them when neither is given)."""
    if day is not None:
        start = datetime.combine(day, time(), tzinfo=UTC)
        telemetry = telemetry.where(
            (F.col("event_ts") >= F.lit(start))
            & (F.col("event_ts") < F.lit(start + timedelta(days=1)))
        )
    if devices:
        telemetry = telemetry.where(F.col("device_id").isin([str(d) for d in devices]))
    return telemetry


def _naive_utc(stamp: object) -> pd.Timestamp:
    ts = pd.Timestamp(stamp)
    return ts.tz_convert(None) if ts.tzinfo is not None else ts


def check_selection(
    summary: pd.DataFrame,
    devices: Sequence[str] | None = None,
    day: date | None = None,
    at: datetime | None = None,
) -> None:
    """Refuse, in one line, a selection with no readings or a time before all of them.

    Why before the questions: an empty selection would give a report of empty maps and tables,
    which reads like "no events" rather than "you asked for a day the fleet did not drive".
    """
    row = summary.iloc[0]
    if not row.readings:
        what = [f"day {day}" if day else "", f"devices {', '.join(devices)}" if devices else ""]
        raise ValueError(
            f"no telemetry for {' and '.join(w for w in what if w) or 'the fleet'}: "
            "choose a day or devices that have readings"
        )
    first = _naive_utc(row.first_reading)
    if at is not None and _naive_utc(at) < first:
        raise ValueError(
            f"no positions at or before --at {at:%Y-%m-%d %H:%M} UTC: "
            f"the first reading is at {first:%Y-%m-%d %H:%M} UTC"
        )


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


def restricted_zone_entries(
    telemetry: DataFrame, zones: DataFrame, gap_minutes: float = 5.0
) -> DataFrame:
    """Each visit of a device to a restricted area: where it entered, when, and when it left.

    Why visits: a dispatcher acts on "truck 7 drove through the school district at 08:12 for 9
    minutes", not on 540 readings. A visit ends when the device's next reading inside that zone
    is more than ``gap_minutes`` later (it left and came back).
    """
    inside = readings_in_zones(telemetry, zones.where(F.col("kind") == "restricted_area"))
    ordered = Window.partitionBy("device_id", "zone_id").orderBy("event_ts")
    gap = F.col("event_ts").cast("long") - F.lag("event_ts").over(ordered).cast("long")
    starts = inside.withColumn(
        "new_visit", F.when(gap.isNull() | (gap > gap_minutes * 60), 1).otherwise(0)
    ).withColumn(
        "visit", F.sum("new_visit").over(ordered.rowsBetween(Window.unboundedPreceding, 0))
    )
    return (
        starts.groupBy("device_id", "zone_id", "zone_name", "visit")
        .agg(
            F.min("event_ts").alias("entered_at"),
            F.max("event_ts").alias("left_at"),
            F.count(F.lit(1)).alias("readings"),
            F.min_by("latitude", "event_ts").alias("latitude"),
            F.min_by("longitude", "event_ts").alias("longitude"),
        )
        .drop("visit")
        .orderBy("entered_at", "device_id")
    )


def fleet_summary(telemetry: DataFrame) -> DataFrame:
    """One row: readings, devices, event readings and the first and last reading's time."""
    return telemetry.agg(
        F.count(F.lit(1)).alias("readings"),
        F.countDistinct("device_id").alias("devices"),
        F.sum(F.when(F.col("event_type") != SYSTEM_OK, 1).otherwise(0)).alias("events"),
        F.min("event_ts").alias("first_reading"),
        F.max("event_ts").alias("last_reading"),
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
        "restricted_zone_entries": restricted_zone_entries(telemetry, zones),
    }


def save_answers(answers: dict[str, pd.DataFrame], folder: Path) -> list[Path]:
    """One CSV per answer (every row); returns the paths written.

    The page people read is the report of ``logistics.maps.geo_report``; the CSVs are for tools.
    """
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, frame in answers.items():
        path = folder / f"{name}.csv"
        frame.to_csv(path, index=False)
        paths.append(path)
    return paths
