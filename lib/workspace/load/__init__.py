"""Load testing of model endpoints: open-loop at a rate or closed-loop at a concurrency.

Example::

    from workspace.load import LoadPlan, run_load
    result = run_load(LoadPlan(url=..., access_key=..., payloads=[{"pattern": [54, 53, 52, 51]}],
                               concurrency=8, count=500))
    print(result.summary.format())
"""

from workspace.load.before_after import CapacityGain, format_cutover
from workspace.load.generator import LoadPlan, LoadResult, RequestRecord, run_load
from workspace.load.report import run_with_progress, save_result
from workspace.load.summary import LoadSummary, summarize

__all__ = [
    "CapacityGain",
    "LoadPlan",
    "LoadResult",
    "LoadSummary",
    "RequestRecord",
    "format_cutover",
    "run_load",
    "run_with_progress",
    "save_result",
    "summarize",
]
