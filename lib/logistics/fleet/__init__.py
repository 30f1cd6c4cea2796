"""The fleet simulator: trucks driving delivery tours and reporting IoT signals every minute."""

from logistics.fleet.geography import service_zones, zones_frame
from logistics.fleet.signals import SIGNALS
from logistics.fleet.simulator import (
    EVENT_TYPES,
    FleetSpec,
    device_id,
    injected_events,
    simulate_device,
)

__all__ = [
    "EVENT_TYPES",
    "SIGNALS",
    "FleetSpec",
    "device_id",
    "injected_events",
    "service_zones",
    "simulate_device",
    "zones_frame",
]
