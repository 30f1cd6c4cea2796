"""Flags of the numbered scripts, and user mistakes turned into one clear line.

Why one module: every script parses its flags the same way (from the command line as a job, the
defaults as a notebook), the deployment and load scripts share the same flags for a model, its
resources and its load, and a bad flag or a missing table should say what to do, not print a JVM
stack trace.

Example::

    parser = LabArgumentParser(description="Simulate load on a deployed model endpoint.")
    add_model_flags(parser, project="logistics-prd", model="TimeSeriesQuery")
    add_concurrency_flag(parser, default=8)
    args = parse_script_args(parser)
    with exit_on_user_error(WorkspaceError):
        ...
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, NoReturn

from logistics.jars import MissingJvmDependency
from logistics.lakehouse import TableNotFound
from logistics.reachability import ServiceUnreachable


class LabArgumentParser(argparse.ArgumentParser):
    """argparse that reports a bad flag in one line (exit 2), without the usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {message} (see --help)\n")


def parse_script_args(parser: argparse.ArgumentParser) -> argparse.Namespace:
    """Flags from the command line when run as a job; defaults when opened as a notebook."""
    in_notebook = "ipykernel" in sys.modules
    return parser.parse_args([] if in_notebook else None)


def script_folder() -> Path:
    """The folder of the running script; the working folder in a notebook (it has no file)."""
    main_file = getattr(sys.modules.get("__main__"), "__file__", None)
    return Path(main_file).resolve().parent if main_file else Path.cwd()


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


def utc_time(text: str) -> datetime:
    """argparse type for an ISO 8601 time; UTC unless the text carries an offset."""
    stamp = datetime.fromisoformat(text)
    return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)


def comma_list(text: str) -> list[str]:
    """argparse type for ``a,b,c``; empty items (a trailing comma) are dropped."""
    return [item for item in text.split(",") if item]


def add_selection_flags(parser: argparse.ArgumentParser) -> None:
    """``--devices`` and ``--day``: which readings a map or report shows (default: all of them)."""
    parser.add_argument(
        "--devices",
        type=comma_list,
        default=None,
        help="comma-separated device ids (default: every device)",
    )
    parser.add_argument(
        "--day",
        type=date.fromisoformat,
        default=None,
        help="one UTC day, YYYY-MM-DD (default: every day in the table)",
    )


def add_model_flags(
    parser: argparse.ArgumentParser,
    *,
    project: str,
    model: str,
    model_flag: str = "--model",
    project_help: str = "PRD project name",
    model_help: str = "model name",
) -> None:
    """``--project`` and the model's name flag (``--model``; ``--model-name`` in MLflow steps)."""
    parser.add_argument("--project", default=project, help=project_help)
    parser.add_argument(model_flag, default=model, help=model_help)


def add_classifier_flags(parser: argparse.ArgumentParser, *, model_help: str) -> None:
    """``--project`` and ``--model-name`` of the MLflow steps' IoT failure classifier."""
    add_model_flags(
        parser,
        project="logistics-mlflow",
        model="IOTFailureClf",
        model_flag="--model-name",
        project_help="workspace project name",
        model_help=model_help,
    )


def add_fleet_flags(
    parser: argparse.ArgumentParser,
    *,
    devices: int,
    days: int,
    seed: int,
    noun: str = "devices",
    days_help: str = "days of 1-minute readings (> 0)",
    seed_help: str = "same seed, same rows",
) -> None:
    """``--devices``, ``--days`` and ``--seed`` of a simulated fleet (same seed, same rows)."""
    parser.add_argument(
        "--devices", type=positive_int, default=devices, help=f"number of {noun} (> 0)"
    )
    parser.add_argument("--days", type=positive_int, default=days, help=days_help)
    parser.add_argument("--seed", type=int, default=seed, help=seed_help)


def add_resource_flags(parser: argparse.ArgumentParser, *, replicas: int = 1) -> None:
    """``--cpu``, ``--memory`` and ``--replicas`` of a model deployment."""
    parser.add_argument("--cpu", type=float, default=1.0, help="vCPU per replica")
    parser.add_argument("--memory", type=float, default=2.0, help="GB per replica")
    parser.add_argument("--replicas", type=positive_int, default=replicas, help="replicas")


def resources_from_flags(args: argparse.Namespace) -> dict[str, Any]:
    """The ``cpu``, ``memory`` and ``replicas`` that ``add_resource_flags`` reads."""
    return {"cpu": args.cpu, "memory": args.memory, "replicas": args.replicas}


def add_autoscaling_flags(parser: argparse.ArgumentParser) -> None:
    """``--autoscale-max`` (hand the deployment to an autoscaling policy), ``--autoscale-min``
    and ``--autoscale-p95-ms``: the policy's bounds and latency target."""
    parser.add_argument(
        "--autoscale-max",
        type=positive_int,
        default=None,
        help="switch the new deployment to an autoscaling policy with this many replicas at most",
    )
    parser.add_argument("--autoscale-min", type=positive_int, default=1, help="fewest replicas")
    parser.add_argument(
        "--autoscale-p95-ms", type=float, default=250.0, help="the policy's p95 latency target"
    )


def autoscaling_from_flags(args: argparse.Namespace) -> dict[str, Any] | None:
    """The policy ``add_autoscaling_flags`` reads; None without ``--autoscale-max``."""
    if args.autoscale_max is None:
        return None
    return {
        "type": "autoscaling",
        "min_replicas": args.autoscale_min,
        "max_replicas": args.autoscale_max,
        "target_p95_ms": args.autoscale_p95_ms,
    }


def add_concurrency_flag(parser: argparse.ArgumentParser, *, default: int) -> None:
    """``--concurrency``: the workers of a closed-loop load."""
    parser.add_argument(
        "--concurrency", type=positive_int, default=default, help="closed-loop workers"
    )


def fail(message: str) -> NoReturn:
    """Print ``error: message`` on stderr and exit with status 1."""
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(1)


@contextmanager
def exit_on_user_error(*more: type[BaseException]) -> Iterator[None]:
    """Exit with status 1 and one line for errors a user can fix.

    ``more`` adds the error types of the library a script talks to (the workspace client's).
    """
    try:
        yield
    except (TableNotFound, MissingJvmDependency, ServiceUnreachable, ValueError, *more) as exc:
        fail(exc.args[0] if exc.args else str(exc))
