"""``python -m localcluster fetch``: what ``make setup`` runs to fetch the REST catalog's jars."""

from __future__ import annotations

import sys

from localcluster.process import MissingComponent
from localcluster.rest_catalog import fetch_classpath


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if args != ["fetch"]:
        print("usage: python -m localcluster fetch", file=sys.stderr)
        return 2
    try:
        print(f"REST catalog jars ready in {fetch_classpath()}")
    except MissingComponent as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
