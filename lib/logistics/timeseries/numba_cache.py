"""Make STUMPY's numba compilation a one-time cost per machine instead of per process.

Why: compiling ``stumpy.stump`` takes tens of seconds and every Spark Python worker and every model
replica is a fresh process. With numba's on-disk cache (under LAB_HOME unless NUMBA_CACHE_DIR says
otherwise) only the first process compiles; the others load machine code in about a second.
STUMPY does not cache by default, so each of its jitted functions is switched to caching before
its first call.

Why a loader instead of a plain ``import stumpy``: importing STUMPY re-parses a module's whole
source once per jitted function to read its ``fastmath`` flag (upstream issue
stumpy-dev/stumpy#495), about 0.8 s of a serving process's cold start. ``load_stumpy`` imports it
with those parses memoised, which changes no value STUMPY reads.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import importlib
import os
import types
from collections.abc import Iterator
from pathlib import Path

_enabled = False


def numba_cache_dir() -> Path:
    """NUMBA_CACHE_DIR when set, else ``LAB_HOME/numba-cache``."""
    from logistics.settings import get_settings

    configured = os.environ.get("NUMBA_CACHE_DIR")
    return Path(configured) if configured else get_settings().lab_home / "numba-cache"


def load_stumpy(threads: int | None = None) -> types.ModuleType:
    """``stumpy``, imported quickly, with numba's disk cache on for its kernels (see module doc)."""
    enable_stumpy_cache(threads)  # imports STUMPY on first use
    return importlib.import_module("stumpy")


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

    with warnings.catch_warnings(), _memoised_source_parsing():
        warnings.simplefilter("ignore")
        from stumpy import cache

        for module_name, function_name in cache.get_njit_funcs():
            module = importlib.import_module(f"stumpy.{module_name}")
            getattr(module, function_name).enable_caching()
    _enabled = True


@contextlib.contextmanager
def _memoised_source_parsing() -> Iterator[None]:
    """While STUMPY imports: parse each source text once, and cut a node's source segment from
    lines split once, instead of re-reading the whole module for every function. Outside this
    block ``ast`` is untouched."""
    parse, segment = ast.parse, ast.get_source_segment
    parsed = functools.lru_cache(maxsize=None)(parse)
    lines = functools.lru_cache(maxsize=None)(lambda source: source.splitlines(keepends=True))

    def memo_parse(source, *args, **kwargs):
        if isinstance(source, str):
            return parsed(source, *args, **kwargs)
        return parse(source, *args, **kwargs)

    def memo_segment(source, node, *, padded=False):
        first, last = getattr(node, "lineno", None), getattr(node, "end_lineno", None)
        if first is None or last is None or getattr(node, "end_col_offset", None) is None:
            return segment(source, node, padded=padded)
        # The same segment, cut from only the node's lines, renumbered from line 1.
        local = types.SimpleNamespace(
            lineno=1,
            end_lineno=last - first + 1,
            col_offset=node.col_offset,
            end_col_offset=node.end_col_offset,
        )
        return segment("".join(lines(source)[first - 1 : last]), local, padded=padded)

    ast.parse, ast.get_source_segment = memo_parse, memo_segment
    try:
        yield
    finally:
        ast.parse, ast.get_source_segment = parse, segment
