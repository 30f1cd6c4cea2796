"""Read what a fleet map needs from the lakehouse through pyiceberg (no Spark, no JVM).

Why pyiceberg: a map of a day of telemetry is a few hundred thousand rows; reading them straight
from the Iceberg files with a pushed-down filter takes a second, where starting Spark takes twenty.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

import pandas as pd

from logistics.lakehouse import read_arrow

MAP_COLUMNS = (
    "device_id",
    "manufacturer",
    "event_ts",
    "latitude",
    "longitude",
    "speed_kmh",
    "fuel_level",
    "iot_signal_1",
    "iot_signal_2",
    "iot_signal_3",
    "iot_signal_4",
    "event_type",
)


def telemetry_filter(devices: Sequence[str] | None = None, day: date | None = None) -> str:
    """An Iceberg row filter for some devices and/or one UTC day (pushed down to file pruning)."""
    clauses = []
    if day is not None:
        start = datetime.combine(day, time(), tzinfo=UTC)
        end = start + timedelta(days=1)
        clauses.append(f"event_ts >= '{start.isoformat()}' and event_ts < '{end.isoformat()}'")
    if devices:
        for device in devices:
            if "'" in device:
                raise ValueError(f"invalid device id {device!r}")
        clauses.append("device_id in (" + ", ".join(f"'{d}'" for d in devices) + ")")
    return " and ".join(clauses) or "True"


def read_map_frames(
    devices: Sequence[str] | None = None, day: date | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Telemetry (filtered) and zones as pandas frames; ``TableNotFound`` says to run 00 first."""
    telemetry = read_arrow(
        "fleet_telemetry", row_filter=telemetry_filter(devices, day), columns=MAP_COLUMNS
    ).to_pandas()
    zones = read_arrow("zones").to_pandas()
    if telemetry.empty:
        what = [f"day {day}" if day else "", f"devices {', '.join(devices)}" if devices else ""]
        raise ValueError(f"no telemetry for {' and '.join(w for w in what if w) or 'the fleet'}")
    return telemetry, zones
