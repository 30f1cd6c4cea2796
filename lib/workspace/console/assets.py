"""The console's and the API docs' JavaScript and CSS, vendored from npm at setup.

Why vendored: the console and ``/docs`` must work on a machine without internet (and in the
browser tests, where the network is cut). ``make setup`` runs ``python -m
workspace.console fetch``; the server then serves each file under ``/static/vendor/``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from workspace.core.npm import NpmFile, WebAssetsMissing, fetch, package_file

VENDORED = {
    "htmx.min.js": NpmFile("htmx.org", "2.0.11", "dist/htmx.min.js"),
    "uPlot.iife.min.js": NpmFile("uplot", "1.6.32", "dist/uPlot.iife.min.js"),
    "uPlot.min.css": NpmFile("uplot", "1.6.32", "dist/uPlot.min.css"),
    "swagger-ui-bundle.js": NpmFile("swagger-ui-dist", "5.31.0", "swagger-ui-bundle.js"),
    "swagger-ui.css": NpmFile("swagger-ui-dist", "5.31.0", "swagger-ui.css"),
}
"""The name a page links (``/static/vendor/<name>``) → the npm file behind it."""


def vendored_file(name: str) -> Path:
    """The fetched file behind ``/static/vendor/<name>``; says how to fetch it when absent."""
    source = VENDORED.get(name)
    if source is None:
        raise KeyError(name)
    path = package_file(source)
    if path is None:
        raise WebAssetsMissing(
            f"{source.spec} is not fetched: run `python -m workspace.console fetch`"
        )
    return path


def main(argv: list[str] | None = None) -> int:
    """``python -m workspace.console fetch`` — the setup step for the console."""
    if (sys.argv[1:] if argv is None else argv) != ["fetch"]:
        print("usage: python -m workspace.console fetch", file=sys.stderr)
        return 2
    try:
        specs = fetch(VENDORED.values())
    except WebAssetsMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"console assets ready: {', '.join(specs)}")
    return 0
