"""Make STUMPY's numba compilation a one-time cost per machine instead of per process.

Why: compiling ``stumpy.stump`` takes tens of seconds and every Spark Python worker and every model
replica is a fresh process. With numba's on-disk cache (under LAB_HOME unless NUMBA_CACHE_DIR says
otherwise) only the first process compiles; the others load machine code in about a second.
STUMPY does not cache by default, so each of its jitted functions is switched to caching before
its first call.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

_enabled = False


def numba_cache_dir() -> Path:
    """NUMBA_CACHE_DIR when set, else ``LAB_HOME/numba-cache``."""
    from logistics.settings import get_settings

    configured = os.environ.get("NUMBA_CACHE_DIR")
    return Path(configured) if configured else get_settings().lab_home / "numba-cache"


def enable_stumpy_cache(threads: int | None = None) -> None:
    """Turn on numba's disk cache for every STUMPY kernel (idempotent); optionally cap threads.

    ``threads`` caps numba's parallel kernels, e.g. to 1 inside a Spark task so that two tasks on
    two cores do not each start a thread per core.
    """
    global _enabled
    cache_dir = numba_cache_dir()
    cache_dir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("NUMBA_CACHE_DIR", str(cache_dir))
    import numba

    numba.config.CACHE_DIR = str(cache_dir)  # numba may have been imported before the variable
    if threads is not None:
        numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))
    if _enabled:
        return
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from stumpy import cache

        for module_name, function_name in cache.get_njit_funcs():
            module = importlib.import_module(f"stumpy.{module_name}")
            getattr(module, function_name).enable_caching()
    _enabled = True
