"""What every numbered script needs to turn user mistakes into one clear line.

Why: a bad flag or a missing table should say what to do, not print a JVM stack trace.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

from logistics.jars import MissingJvmDependency
from logistics.lakehouse import TableNotFound


class LabArgumentParser(argparse.ArgumentParser):
    """argparse that reports a bad flag in one line (exit 2), without the usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {message} (see --help)\n")


def parse_script_args(parser: argparse.ArgumentParser) -> argparse.Namespace:
    """Flags from the command line when run as a job; defaults when opened as a notebook."""
    in_notebook = "ipykernel" in sys.modules
    return parser.parse_args([] if in_notebook else None)


def _positive(text: str, kind: type, noun: str) -> int | float:
    try:
        value = kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not {noun}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {value}")
    return value


def positive_int(text: str) -> int:
    """argparse type for counts that must be > 0 (argparse then exits 2 with one line)."""
    return int(_positive(text, int, "an integer"))


def positive_float(text: str) -> float:
    """argparse type for sizes that must be > 0 (distances, durations)."""
    return float(_positive(text, float, "a number"))


@contextmanager
def exit_on_user_error() -> Iterator[None]:
    """Exit with status 1 and one line for errors a user can fix."""
    try:
        yield
    except (TableNotFound, MissingJvmDependency, ValueError) as exc:
        message = exc.args[0] if exc.args else str(exc)
        print(f"error: {message}", file=sys.stderr)
        raise SystemExit(1) from None
