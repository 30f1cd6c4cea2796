"""One stamped report folder per run, under LAB_HOME/reports."""

from __future__ import annotations

import time

from logistics.report_folders import run_report_dir
from logistics.settings import get_settings


def test_each_run_gets_its_own_stamped_folder_under_the_reports() -> None:
    at = time.mktime((2026, 1, 5, 12, 30, 15, 0, 0, -1))
    folder = run_report_dir("simulation", "TimeSeriesQuery", at=at)
    assert folder == get_settings().reports_dir / "simulation" / "TimeSeriesQuery-20260105-123015"
    assert run_report_dir("simulation", "TimeSeriesQuery", at=at + 1) != folder
