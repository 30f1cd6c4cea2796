"""Where a step saves what people look at afterwards: one folder per run under LAB_HOME/reports.

Why a stamped folder per run: a second load test or monitoring run must not overwrite the first,
so two runs can be compared side by side.
"""

from __future__ import annotations

import time
from pathlib import Path

from logistics.settings import get_settings


def run_report_dir(kind: str, name: str, *, at: float | None = None) -> Path:
    """``LAB_HOME/reports/<kind>/<name>-<YYYYmmdd-HHMMSS>`` for a run at ``at`` (default: now).

    The folder is not created here: whoever writes the first file creates it.
    """
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(at))
    return get_settings().reports_dir / kind / f"{name}-{stamp}"
