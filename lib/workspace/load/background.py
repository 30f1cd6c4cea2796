"""Load that runs beside other work (a redeploy) until that work is done.

Why: the only honest proof that a cutover loses no request is traffic flowing through it.
"""

from __future__ import annotations

import asyncio
import threading
from types import TracebackType

from workspace.load.generator import LoadPlan, LoadResult, _run
from workspace.load.summary import LoadSummary


class BackgroundLoad:
    """Run ``plan`` in a thread from ``__enter__`` until ``__exit__`` (or the plan's own bound)."""

    def __init__(self, plan: LoadPlan) -> None:
        self.plan = plan
        self._stop = threading.Event()
        self._result: LoadResult | None = None
        self._thread = threading.Thread(target=self._run, name="background-load", daemon=True)

    def _run(self) -> None:
        self._result = asyncio.run(_run(self.plan, None, stop=self._stop))

    def __enter__(self) -> BackgroundLoad:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=self.plan.timeout_s + 10)

    @property
    def result(self) -> LoadResult:
        """Every request's record and the summary, once the load has finished."""
        if self._result is None:
            raise RuntimeError("the background load has not finished")
        return self._result

    @property
    def summary(self) -> LoadSummary:
        return self.result.summary
