"""What a fleet map draws, chosen from telemetry: pure pandas, no Folium.

Why separate: a day of a 50-truck fleet is 72k readings; a browser cannot show one marker per
reading. These functions decide what is worth drawing (event onsets, simplified routes, a binned
heat grid) and are tested on their own, independent of how the map renders them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from shapely.geometry import LineString

from logistics.telemetry_schema import SYSTEM_OK


def event_onsets(telemetry: pd.DataFrame) -> pd.DataFrame:
    """The first reading of every run of the same non-"system ok" event type, per device.

    Why onsets: a tank below 5% stays below 5% for hours; a dispatcher needs to see where it began,
    not 300 identical markers on a parked truck.
    """
    ordered = telemetry.sort_values(["device_id", "event_ts"], kind="stable")
    changed = (
        ordered["event_type"] != ordered.groupby("device_id")["event_type"].shift()
    ).to_numpy()
    return ordered[changed & (ordered["event_type"] != SYSTEM_OK).to_numpy()]


def fair_quota(counts: pd.Series, budget: int) -> pd.Series:
    """Split ``budget`` over groups: small groups keep everything, large ones share the rest evenly.

    Why: with proportional sampling the rare "system malfunction" onsets would vanish under the
    thousands of fuel warnings; the rarest events are the ones worth seeing.
    """
    quota = pd.Series(0, index=counts.index, dtype=int)
    remaining, left = budget, counts.sort_values()
    while len(left) and remaining > 0:
        share = remaining // len(left)
        if share == 0:
            break
        small = left[left <= share]
        if small.empty:
            quota[left.index] = share
            remaining -= share * len(left)
            break
        quota[small.index] = small
        remaining -= int(small.sum())
        left = left.drop(small.index)
    return quota


def select_event_markers(
    telemetry: pd.DataFrame, max_markers: int = 1500, ok_share: float = 0.05, seed: int = 0
) -> pd.DataFrame:
    """At most ``max_markers`` readings to mark: event onsets (fairly sampled) and a few normal.

    A few "system ok" readings are kept so the map shows what normal looks like next to an event.
    """
    if max_markers <= 0:
        return telemetry.iloc[0:0]
    ok_budget = min(int(max_markers * ok_share), int((telemetry["event_type"] == SYSTEM_OK).sum()))
    onsets = event_onsets(telemetry)
    quota = fair_quota(onsets["event_type"].value_counts(), max_markers - ok_budget)
    picked = [
        group.sample(n=int(quota[kind]), random_state=seed) if quota[kind] < len(group) else group
        for kind, group in onsets.groupby("event_type")
    ]
    normal = telemetry[telemetry["event_type"] == SYSTEM_OK]
    picked.append(normal.sample(n=ok_budget, random_state=seed))
    return pd.concat(picked).sort_values(["device_id", "event_ts"]).reset_index(drop=True)


def trajectories(
    telemetry: pd.DataFrame, tolerance_deg: float = 0.0005, max_points: int = 400
) -> dict[str, list[tuple[float, float]]]:
    """Each device's route as (lat, lon) points, simplified with Douglas-Peucker.

    Why simplification rather than every n-th minute: trucks drive straight road legs and park for
    hours; ~50 m tolerance removes GPS jitter and parked minutes while keeping every corner.
    """
    routes: dict[str, list[tuple[float, float]]] = {}
    for device, rows in telemetry.sort_values("event_ts").groupby("device_id", sort=True):
        coords = rows[["longitude", "latitude"]].to_numpy()
        if len(coords) < 2:
            continue
        simple = np.asarray(
            LineString(coords).simplify(tolerance_deg, preserve_topology=False).coords
        )
        if len(simple) > max_points:
            keep = np.unique(np.r_[np.linspace(0, len(simple) - 1, max_points).astype(int)])
            simple = simple[keep]
        routes[str(device)] = [(float(lat), float(lon)) for lon, lat in simple]
    return routes


def heat_grid(telemetry: pd.DataFrame, cell_deg: float = 0.005) -> list[list[float]]:
    """Where non-"system ok" readings happen, binned to ~500 m cells as [lat, lon, weight].

    Why bins: every event reading counts toward the heat (not only the sampled markers) while the
    HTML carries one entry per occupied cell instead of one per reading. Weights are the square
    root of the count relative to the busiest cell: stable across fleet sizes, and a depot where
    parked trucks log warnings all night does not wash out every place else.
    """
    events = telemetry[telemetry["event_type"] != SYSTEM_OK]
    if events.empty:
        return []
    cells = pd.DataFrame(
        {
            "lat": (events["latitude"] / cell_deg).round() * cell_deg,
            "lon": (events["longitude"] / cell_deg).round() * cell_deg,
        }
    ).value_counts()
    weights = np.sqrt(cells / cells.max())
    return [[round(lat, 6), round(lon, 6), round(float(w), 4)] for (lat, lon), w in weights.items()]


# Candidate time steps of the position slider, finest first.
_SLIDER_STEPS = ("15min", "30min", "1h", "2h", "3h", "6h", "12h", "1D")


def slider_step(telemetry: pd.DataFrame, max_positions: int = 3000) -> pd.Timedelta:
    """The finest slider step at which every device's positions fit in ``max_positions``.

    Why bounded: each step is one point per device in the page; a week of 500 trucks at 15 minutes
    would be 336k points, which no browser animates.
    """
    span = telemetry["event_ts"].max() - telemetry["event_ts"].min()
    devices = max(telemetry["device_id"].nunique(), 1)
    for step in map(pd.Timedelta, _SLIDER_STEPS):
        if devices * (span // step + 1) <= max_positions:
            return step
    return pd.Timedelta(_SLIDER_STEPS[-1])


def positions_over_time(telemetry: pd.DataFrame, step: pd.Timedelta) -> pd.DataFrame:
    """Each device's first reading in every ``step`` of time, stamped with the step's start.

    Why the step's start: the slider shows one frame per step, so all devices of a frame share the
    same timestamp and move together.
    """
    frame = telemetry[["device_id", "event_ts", "latitude", "longitude", "event_type"]]
    frame = frame.sort_values(["device_id", "event_ts"], kind="stable")
    slot = frame["event_ts"].dt.floor(step)
    first = ~pd.DataFrame({"d": frame["device_id"], "s": slot}).duplicated().to_numpy()
    return frame[first].assign(event_ts=slot[first]).reset_index(drop=True)
