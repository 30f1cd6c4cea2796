"""Fleet maps: Folium HTML of events, trajectories, zones and event heat, viewable offline.

Public surface (imported lazily so ``python -m logistics.maps.assets`` does not load Folium twice)::

    from logistics.maps import build_fleet_map, save_fleet_map, MapOptions
"""

from __future__ import annotations

from typing import Any

__all__ = ["MapOptions", "build_fleet_map", "save_fleet_map"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from logistics.maps import fleet_map

        return getattr(fleet_map, name)
    raise AttributeError(f"module 'logistics.maps' has no attribute {name!r}")
