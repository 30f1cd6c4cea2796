"""Read what a fleet map needs from the lakehouse through pyiceberg (no Spark, no JVM).

Why pyiceberg: a map of a day of telemetry is a few hundred thousand rows; reading them straight
from the Iceberg files with a pushed-down filter takes a second, where starting Spark takes twenty.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import reduce

import pandas as pd
from pyiceberg.expressions import (
    AlwaysTrue,
    And,
    BooleanExpression,
    GreaterThanOrEqual,
    In,
    LessThan,
)

from logistics.lakehouse import read_arrow
from logistics.telemetry_schema import FAILURE_LABEL, TELEMETRY_COLUMNS

MAP_COLUMNS = tuple(c for c in TELEMETRY_COLUMNS if c != FAILURE_LABEL)


def telemetry_filter(
    devices: Sequence[str] | None = None, day: date | None = None
) -> BooleanExpression:
    """An Iceberg row filter for some devices and/or one UTC day (pushed down to file pruning).

    Why expressions: device ids are values, never parsed as filter text, so any id is safe.
    """
    clauses: list[BooleanExpression] = []
    if day is not None:
        start = datetime.combine(day, time(), tzinfo=UTC)
        clauses += [
            GreaterThanOrEqual("event_ts", start),
            LessThan("event_ts", start + timedelta(days=1)),
        ]
    if devices:
        clauses.append(In("device_id", [str(d) for d in devices]))
    return reduce(And, clauses, AlwaysTrue())


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
