"""Daily delivery tours: depot → delivery stops → depot, minute by minute.

Why keypoints and interpolation: a tour is a few dozen (minute, lat, lon) corners; positions for
every minute come from ``np.interp`` over them, which keeps simulation vectorised and cheap.
"""

from __future__ import annotations

import numpy as np

from logistics.fleet.geography import Zone, leg_km, random_point_in

MINUTES_PER_DAY = 1440


def tour_keypoints(
    rng: np.random.Generator, depot: Zone, areas: list[Zone], days: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Corners of every day's tour as (minute, lat, lon) arrays, from and back to the depot."""
    home = random_point_in(depot.polygon, rng)
    minutes, lats, lons = [0.0], [home[0]], [home[1]]

    def go_to(point: tuple[float, float], at: float, speed_kmh: float) -> float:
        here = (lats[-1], lons[-1])
        corner = (here[0], point[1])  # along the parallel first, then the meridian
        for target in (corner, point):
            start = (lats[-1], lons[-1])
            at += leg_km(start, target) / speed_kmh * 60.0
            minutes.append(at)
            lats.append(target[0])
            lons.append(target[1])
        return at

    def stay(until: float) -> None:
        minutes.append(until)
        lats.append(lats[-1])
        lons.append(lons[-1])

    for day in range(days):
        day_start = day * MINUTES_PER_DAY
        now = day_start + rng.uniform(5.5, 7.0) * 60
        stay(now)
        for _ in range(int(rng.integers(3, 7))):
            area = areas[int(rng.integers(len(areas)))]
            now = go_to(random_point_in(area.polygon, rng), now, rng.uniform(35, 65))
            now += rng.uniform(10, 35)  # unloading stop
            stay(now)
            if now > day_start + 17 * 60:
                break
        now = go_to(home, now, rng.uniform(40, 65))
        stay(max(now, day_start + MINUTES_PER_DAY - 1))
    return np.asarray(minutes), np.asarray(lats), np.asarray(lons)


def positions(
    keypoints: tuple[np.ndarray, np.ndarray, np.ndarray], n_minutes: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Latitude, longitude and speed (km/h) at every minute of the tour."""
    t = np.arange(n_minutes, dtype=float)
    minute, lat, lon = keypoints
    lat_t = np.interp(t, minute, lat)
    lon_t = np.interp(t, minute, lon)
    step_km = np.zeros(n_minutes)
    step_km[1:] = np.abs(np.diff(lat_t)) * 111.2 + np.abs(np.diff(lon_t)) * 111.2 * np.cos(
        np.radians(lat_t[1:])
    )
    return lat_t, lon_t, step_km * 60.0
