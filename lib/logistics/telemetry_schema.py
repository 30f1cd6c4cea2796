"""What one telemetry reading holds: its columns, its four signals and the event types it reports.

Why one module without imports: the simulator writes these columns, Spark declares them, the
models, maps and endpoints read them, and a serving replica must be able to name the signals
without importing the simulator (pandas, scipy, shapely). A column renamed here is renamed
everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence

SIGNALS = ("iot_signal_1", "iot_signal_2", "iot_signal_3", "iot_signal_4")
FAILURE_LABEL = "iot_failure"

SYSTEM_OK = "system ok"
TANK_BELOW_10 = "tank below 10%"
TANK_BELOW_5 = "tank below 5%"
DEVICE_ERROR = "device error"
SYSTEM_MALFUNCTION = "system malfunction"
EVENT_TYPES = (SYSTEM_OK, TANK_BELOW_10, TANK_BELOW_5, DEVICE_ERROR, SYSTEM_MALFUNCTION)

TELEMETRY_TYPES: dict[str, str] = {
    "device_id": "string",
    "manufacturer": "string",
    "event_ts": "timestamp",
    "latitude": "double",
    "longitude": "double",
    "speed_kmh": "double",
    "fuel_level": "double",
    **dict.fromkeys(SIGNALS, "double"),
    "event_type": "string",
    FAILURE_LABEL: "int",
}
"""Every column of ``fleet_telemetry`` in table order, with its Spark SQL type."""

TELEMETRY_COLUMNS = tuple(TELEMETRY_TYPES)
TELEMETRY_SCHEMA = ", ".join(f"{name} {kind}" for name, kind in TELEMETRY_TYPES.items())
"""The same columns as a Spark DDL string (what ``mapInPandas`` is given)."""


def series_columns(signals: Sequence[str] = SIGNALS) -> tuple[str, ...]:
    """The columns of the per-device series models read: which device, which minute, signals."""
    return ("device_id", "event_ts", *signals)
