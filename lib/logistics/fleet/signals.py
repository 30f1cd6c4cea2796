"""IoT signals with daily cycles, drift and noise, plus injected motifs and anomalies.

Why injected ground truth: the time-series models (pattern search, motifs, discords) are scored
against known positions; every injection is returned as an ``InjectedEvent``.

Signal ranges follow the upstream lab: iot_signal_1 in 1–10, iot_signal_2 = signal_1 + 0..2,
iot_signal_3 in 50–55, iot_signal_4 in 100–107. Anomalies deliberately leave those ranges.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from logistics.telemetry_schema import SIGNALS

FALLING_RUN = np.array([54.0, 53.0, 52.0, 51.0])
HUMP_MINUTES = 30
SLOT_MINUTES = 120


@dataclass(frozen=True)
class InjectedEvent:
    """Ground truth for one injection: minutes [start, end] inclusive from the series start."""

    start: int
    end: int
    kind: str  # motif | anomaly
    name: str  # falling_run | hump | spike | flatline | level_shift
    signal: str  # an iot_signal_* or "all"


def hump_shape() -> np.ndarray:
    """The recurring 30-minute motif: a double-peaked bump, the same every time it occurs."""
    t = np.arange(HUMP_MINUTES) / HUMP_MINUTES
    return np.sin(np.pi * t) ** 2 * (1.0 + 0.6 * np.sin(6 * np.pi * t))


def plan_events(rng: np.random.Generator, n_minutes: int) -> list[InjectedEvent]:
    """Place motifs and anomalies in distinct two-hour slots so they never overlap."""
    slots = rng.permutation(n_minutes // SLOT_MINUTES)
    days = max(1, n_minutes // 1440)
    kinds = (
        [("motif", "falling_run")] * (3 * days)
        + [("motif", "hump")] * (3 * days)
        + [
            ("anomaly", str(rng.choice(["spike", "flatline", "level_shift"])))
            for _ in range(2 * days)
        ]
    )
    events = []
    for slot, (kind, name) in zip(slots, kinds, strict=False):
        length = {
            "falling_run": 4,
            "hump": HUMP_MINUTES,
            "spike": int(rng.integers(1, 4)),
            "flatline": int(rng.integers(40, 61)),
            "level_shift": int(rng.integers(60, 91)),
        }[name]
        start = int(slot * SLOT_MINUTES + rng.integers(10, SLOT_MINUTES - length - 10))
        signal = {
            "falling_run": "iot_signal_3",
            "hump": "all",
            "flatline": "all",
            "spike": str(rng.choice(["iot_signal_1", "iot_signal_3", "iot_signal_4"])),
            "level_shift": str(rng.choice(["iot_signal_3", "iot_signal_4"])),
        }[name]
        events.append(InjectedEvent(start, start + length - 1, kind, name, signal))
    return sorted(events, key=lambda e: e.start)


def _ar1(rng: np.random.Generator, n: int, phi: float, scale: float) -> np.ndarray:
    """Slow drift: an AR(1) process, vectorised through an exponential filter."""
    from scipy.signal import lfilter

    return lfilter([scale], [1.0, -phi], rng.normal(size=n))


def base_signals(
    rng: np.random.Generator, n_minutes: int, speed_kmh: np.ndarray
) -> dict[str, np.ndarray]:
    """Four signals with a daily cycle, drift, noise and engine load from speed."""
    t = np.arange(n_minutes)
    phase = 2 * np.pi * (t % 1440) / 1440 + rng.uniform(-0.5, 0.5)
    load = speed_kmh / 65.0
    s1 = 5.5 + 2.2 * np.sin(phase - np.pi / 2) + _ar1(rng, n_minutes, 0.995, 0.03)
    s1 += 0.25 * rng.normal(size=n_minutes)
    s3 = 52.3 + 0.9 * np.sin(phase) + _ar1(rng, n_minutes, 0.995, 0.01)
    s3 += 0.12 * rng.normal(size=n_minutes)
    s4 = 103.2 + 1.4 * np.sin(phase + 0.7) + 0.9 * load + 0.2 * rng.normal(size=n_minutes)
    return {
        "iot_signal_1": np.clip(s1, 1.0, 9.6),
        "iot_signal_3": np.clip(s3, 50.0, 54.2),
        "iot_signal_4": np.clip(s4, 100.0, 104.9),
        "offset_2": np.clip(
            1.0 + 0.5 * np.sin(phase / 2) + 0.15 * rng.normal(size=n_minutes), 0, 2
        ),
    }


def inject(
    signals: dict[str, np.ndarray], events: list[InjectedEvent], rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Write motifs and anomalies into the signals, then derive iot_signal_2 from iot_signal_1."""
    s = {k: v.copy() for k, v in signals.items()}
    amplitude = {"iot_signal_1": 2.0, "iot_signal_3": 1.4, "iot_signal_4": 2.0}
    ceiling = {"iot_signal_1": 9.9, "iot_signal_3": 54.9, "iot_signal_4": 106.9}
    shape = hump_shape()
    for e in events:
        window = slice(e.start, e.end + 1)
        if e.name == "falling_run":
            s["iot_signal_3"][window] = FALLING_RUN
        elif e.name == "hump":
            for name, amp in amplitude.items():
                # keep the motif inside the signal's normal range: it is a pattern, not an anomaly
                base = min(s[name][e.start], ceiling[name] - amp * shape.max())
                s[name][window] = base + amp * shape
        elif e.name == "spike":
            s[e.signal][window] = {
                "iot_signal_1": 15.0,
                "iot_signal_3": 59.0,
                "iot_signal_4": 117.0,
            }[e.signal] + rng.uniform(0, 1.5, size=e.end - e.start + 1)
        elif e.name == "flatline":
            for name in ("iot_signal_1", "iot_signal_3", "iot_signal_4", "offset_2"):
                s[name][window] = s[name][e.start]
        elif e.name == "level_shift":
            s[e.signal][window] += 3.0
    s["iot_signal_2"] = s["iot_signal_1"] + s.pop("offset_2")
    return {name: np.round(s[name], 4) for name in SIGNALS}
