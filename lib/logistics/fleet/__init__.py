"""The fleet simulator: trucks driving delivery tours and reporting IoT signals every minute.

The columns, signals and event types it reports are named in ``logistics.telemetry_schema``.
"""

from logistics.fleet.geography import service_zones, zones_frame
from logistics.fleet.simulator import (
    FleetSpec,
    device_batch,
    device_id,
    injected_events,
    simulate_device,
)

__all__ = [
    "FleetSpec",
    "device_batch",
    "device_id",
    "injected_events",
    "service_zones",
    "simulate_device",
    "zones_frame",
]
