"""The PRD entry points, imported from their files as a model build imports them, over a fleet
written to Iceberg by Spark and pinned by LAB_SNAPSHOT_ID."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

PRD = Path(__file__).resolve().parents[2] / "prd"


def _load(file_name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"prd_{file_name[:-3]}", PRD / file_name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def load_entry_point():
    """Import a file under prd/ by path, the way a model build does."""
    return _load


@pytest.fixture(scope="session")
def pinned_snapshot(spark) -> int:
    """A 3-device, 1-day fleet in Iceberg; its snapshot id stays readable after later writes."""
    from logistics.datagen import WriteMode, write_fleet
    from logistics.fleet import FleetSpec

    return write_fleet(spark, FleetSpec(devices=3, days=1, seed=21), WriteMode.REPLACE).snapshot_id
