"""The fleet simulator: one device's telemetry, deterministic per (seed, device).

Why per device: Spark generates devices in parallel on executors (``logistics.datagen``), and a
device's rows depend only on the spec and its index, so the same seed gives the same rows on any
cluster layout, and ground truth can be recomputed on the driver without generating telemetry.

Why two views of the same columns: notebooks and models want a pandas frame
(``simulate_device``), while Spark executors stream Arrow record batches to the JVM
(``device_batch``); building the batch straight from the numpy columns skips a pandas frame and
its conversion for every device, which is most of the Python time of a datagen run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from logistics.fleet.geography import Zone, service_zones
from logistics.fleet.routes import MINUTES_PER_DAY, positions, tour_keypoints
from logistics.fleet.signals import base_signals, inject, plan_events
from logistics.telemetry_schema import (
    DEVICE_ERROR,
    EVENT_TYPES,
    FAILURE_LABEL,
    SIGNALS,
    SYSTEM_MALFUNCTION,
    SYSTEM_OK,
    TANK_BELOW_5,
    TANK_BELOW_10,
    TELEMETRY_COLUMNS,
)

if TYPE_CHECKING:
    import pyarrow as pa

MANUFACTURERS = ("Volvo", "Scania", "MAN", "Daimler", "Iveco", "Navistar")
DEFAULT_START = datetime(2026, 1, 5, tzinfo=UTC)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_STREAM_EVENTS, _STREAM_ROUTE, _STREAM_SIGNALS, _STREAM_LABEL = 1, 2, 3, 4


@dataclass(frozen=True)
class FleetSpec:
    """What to simulate. ``start`` is the first minute (UTC) of every device's series."""

    devices: int = 50
    days: int = 2
    seed: int = 7
    start: datetime = field(default=DEFAULT_START)

    def __post_init__(self) -> None:
        if not isinstance(self.devices, int) or self.devices <= 0:
            raise ValueError(f"devices must be a positive integer, got {self.devices!r}")
        if not isinstance(self.days, int) or self.days <= 0:
            raise ValueError(f"days must be a positive integer, got {self.days!r}")
        if self.start.tzinfo is None:
            raise ValueError("start must be timezone-aware (UTC)")

    @property
    def minutes(self) -> int:
        return self.days * MINUTES_PER_DAY

    @property
    def rows(self) -> int:
        return self.devices * self.minutes

    def rng(self, device_index: int, stream: int) -> np.random.Generator:
        # The start minute is part of the key so an appended batch is new data, not a replay.
        start_minute = int(self.start.timestamp() // 60)
        return np.random.default_rng([self.seed, device_index, stream, start_minute])


def device_id(index: int) -> str:
    return f"device-{index + 1:04d}"


def _event_codes(signals: dict[str, np.ndarray], fuel: np.ndarray) -> np.ndarray:
    """Derive event_type from the signals, most severe first, as indices into ``EVENT_TYPES``."""
    s1, s3, s4 = signals["iot_signal_1"], signals["iot_signal_3"], signals["iot_signal_4"]
    same = np.r_[False, np.diff(s1) == 0]
    run_id = np.cumsum(~same)
    run_len = np.bincount(run_id)[run_id]
    malfunction = (s1 > 10) | (s3 > 55) | (s3 < 50) | (s4 > 107)
    code = {name: EVENT_TYPES.index(name) for name in EVENT_TYPES}
    return np.select(
        [malfunction, run_len >= 10, fuel < 5, fuel < 10],
        [
            code[SYSTEM_MALFUNCTION],
            code[DEVICE_ERROR],
            code[TANK_BELOW_5],
            code[TANK_BELOW_10],
        ],
        default=code[SYSTEM_OK],
    ).astype(np.int8)


def failure_probability(signals: dict[str, np.ndarray], malfunction: np.ndarray) -> np.ndarray:
    """Chance of an iot_failure: hot engines, high load and malfunctions fail more."""
    z = (
        1.8 * (np.asarray(signals["iot_signal_4"]) - 104.6)
        + 0.9 * (np.asarray(signals["iot_signal_1"]) - 7.0)
        + 1.5 * (np.asarray(signals["iot_signal_3"]) - 53.4)
        + 4.0 * np.asarray(malfunction, dtype=float)
        - 0.6
    )
    return 1.0 / (1.0 + np.exp(-z))


def _failure_label(
    rng: np.random.Generator, signals: dict[str, np.ndarray], event_code: np.ndarray
) -> np.ndarray:
    p = failure_probability(signals, event_code == EVENT_TYPES.index(SYSTEM_MALFUNCTION))
    return (rng.uniform(size=p.size) < p).astype(np.int32)


def _fuel(rng: np.random.Generator, step_km: np.ndarray, parked: np.ndarray) -> np.ndarray:
    """Tank level in percent: burns with distance, refilled during long stops (not always)."""
    burned = np.cumsum(rng.uniform(0.08, 0.14) * step_km)  # percent per km
    refuel_prob = rng.uniform(0.5, 0.95)
    edges = np.flatnonzero(np.diff(np.r_[0, parked.astype(np.int8), 0]))
    long_stops = [
        start for start, end in zip(edges[::2], edges[1::2], strict=True) if end - start >= 60
    ]
    level = np.empty(step_km.size)
    segment, start_level = 0, rng.uniform(15, 100)
    for stop in [*long_stops, step_km.size]:
        level[segment:stop] = start_level - (burned[segment:stop] - burned[segment])
        at_stop = (
            start_level - (burned[stop - 1] - burned[segment]) if stop > segment else start_level
        )
        if stop < step_km.size and at_stop < 35 and rng.uniform() < refuel_prob:
            segment, start_level = stop, rng.uniform(95, 100)
    return np.clip(level, 0.0, 100.0)


@cache
def _depots_and_areas() -> tuple[tuple[Zone, ...], tuple[Zone, ...]]:
    """The fixed layout, built once per process rather than once per device."""
    zones = service_zones()
    return (
        tuple(z for z in zones if z.kind == "depot"),
        tuple(z for z in zones if z.kind == "delivery_area"),
    )


@dataclass(frozen=True)
class DeviceColumns:
    """One device's readings as numpy columns; the two constant columns are kept as scalars."""

    device_id: str
    manufacturer: str
    event_ts_us: np.ndarray  # microseconds since the epoch (UTC)
    values: dict[str, np.ndarray]  # latitude ... iot_signal_4, in table order
    event_code: np.ndarray  # index into EVENT_TYPES
    failure: np.ndarray  # int32 labels


def _simulate(spec: FleetSpec, device_index: int) -> DeviceColumns:
    depots, areas = _depots_and_areas()
    route_rng = spec.rng(device_index, _STREAM_ROUTE)
    depot = depots[device_index % len(depots)]
    manufacturer = MANUFACTURERS[int(route_rng.integers(len(MANUFACTURERS)))]
    keypoints = tour_keypoints(route_rng, depot, list(areas), spec.days)
    lat, lon, speed = positions(keypoints, spec.minutes)
    fuel = _fuel(route_rng, speed / 60.0, speed == 0)
    lat = lat + route_rng.normal(0, 0.00012, size=lat.size)  # GPS jitter
    lon = lon + route_rng.normal(0, 0.00012, size=lon.size)

    signal_rng = spec.rng(device_index, _STREAM_SIGNALS)
    events = plan_events(spec.rng(device_index, _STREAM_EVENTS), spec.minutes)
    signals = inject(base_signals(signal_rng, spec.minutes, speed), events, signal_rng)
    event_code = _event_codes(signals, fuel)
    label = _failure_label(spec.rng(device_index, _STREAM_LABEL), signals, event_code)

    start_us = (spec.start - _EPOCH) // timedelta(microseconds=1)
    return DeviceColumns(
        device_id=device_id(device_index),
        manufacturer=manufacturer,
        event_ts_us=start_us + np.arange(spec.minutes, dtype=np.int64) * 60_000_000,
        values={
            "latitude": lat,
            "longitude": lon,
            "speed_kmh": np.round(speed, 2),
            "fuel_level": np.round(fuel, 2),
            **{name: signals[name] for name in SIGNALS},
        },
        event_code=event_code,
        failure=label,
    )


def simulate_device(spec: FleetSpec, device_index: int) -> pd.DataFrame:
    """Every minute of one device: position, speed, fuel, signals, event type, failure label."""
    c = _simulate(spec, device_index)
    return pd.DataFrame(
        {
            "device_id": c.device_id,
            "manufacturer": c.manufacturer,
            "event_ts": pd.date_range(spec.start, periods=spec.minutes, freq="min", unit="us"),
            **c.values,
            "event_type": np.asarray(EVENT_TYPES, dtype=object)[c.event_code],
            FAILURE_LABEL: c.failure,
        }
    )


def device_batch(spec: FleetSpec, device_index: int) -> pa.RecordBatch:
    """The same readings as ``simulate_device``, as one Arrow record batch in table column order.

    Strings are built by Arrow from a one-value (or five-value) dictionary rather than from
    per-row Python strings, and the numeric columns are handed over without copies.
    """
    import pyarrow as pa

    c = _simulate(spec, device_index)
    n = c.event_ts_us.size
    zeros = np.zeros(n, dtype=np.int8)
    columns = {
        "device_id": pa.array([c.device_id]).take(zeros),
        "manufacturer": pa.array([c.manufacturer]).take(zeros),
        "event_ts": pa.array(c.event_ts_us, type=pa.timestamp("us", tz="UTC")),
        **{name: pa.array(values) for name, values in c.values.items()},
        "event_type": pa.array(EVENT_TYPES).take(c.event_code),
        FAILURE_LABEL: pa.array(c.failure, type=pa.int32()),
    }
    return pa.RecordBatch.from_arrays(
        [columns[name] for name in TELEMETRY_COLUMNS], names=list(TELEMETRY_COLUMNS)
    )


def injected_events(spec: FleetSpec) -> pd.DataFrame:
    """Ground truth of every injected motif and anomaly, without generating telemetry."""
    rows = []
    for index in range(spec.devices):
        for e in plan_events(spec.rng(index, _STREAM_EVENTS), spec.minutes):
            rows.append(
                {
                    "device_id": device_id(index),
                    "start_ts": spec.start + timedelta(minutes=e.start),
                    "end_ts": spec.start + timedelta(minutes=e.end),
                    "kind": e.kind,
                    "name": e.name,
                    "signal": e.signal,
                }
            )
    frame = pd.DataFrame(rows)
    for col in ("start_ts", "end_ts"):
        frame[col] = pd.to_datetime(frame[col], utc=True).astype("datetime64[us, UTC]")
    return frame
