"""Loading STUMPY: the fast import must leave STUMPY configured exactly as a plain import does."""

from __future__ import annotations

import json
import os
import subprocess
import sys

DEFAULTS = (
    "import json\n"
    "from stumpy import config\n"
    "print(json.dumps({k: sorted(v) if isinstance(v, set) else v\n"
    "                  for k, v in config._STUMPY_DEFAULTS.items()}, sort_keys=True))\n"
)


def _defaults_after(import_line: str, tmp_path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", import_line + "\n" + DEFAULTS],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env={**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "numba-cache")},
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_fast_import_reads_the_same_fastmath_flags_as_a_plain_import(tmp_path) -> None:
    plain = _defaults_after("import stumpy", tmp_path)
    fast = _defaults_after(
        "from logistics.timeseries.numba_cache import load_stumpy\nload_stumpy()", tmp_path
    )
    fastmath = {k: v for k, v in plain.items() if k.startswith("STUMPY_FASTMATH_")}
    assert len(fastmath) > 20 and any(v not in (True, False) for v in fastmath.values())
    assert fast == plain


def test_ast_is_left_as_it_was_after_loading() -> None:
    import ast

    from logistics.timeseries.numba_cache import load_stumpy

    parse, segment = ast.parse, ast.get_source_segment
    stumpy = load_stumpy()
    assert (ast.parse, ast.get_source_segment) == (parse, segment)
    assert callable(stumpy.stump)
