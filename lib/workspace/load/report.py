"""Load runs people can watch and keep: a progress bar while it runs, CSV + JSON after."""

from __future__ import annotations

import csv
import json
import sys
from dataclasses import asdict
from pathlib import Path

from workspace.load.generator import LoadPlan, LoadResult, run_load


def run_with_progress(plan: LoadPlan, description: str) -> LoadResult:
    """``run_load`` with a bar sized by count (or an elapsed-time spinner for a duration)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(file=sys.stderr)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=not console.is_terminal,
    ) as bar:
        task = bar.add_task(description, total=plan.count)
        return run_load(plan, progress=lambda n: bar.advance(task, n))


def save_result(result: LoadResult, directory: Path) -> list[Path]:
    """Every request to ``requests.csv`` and the summary to ``summary.json``; returns the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    requests_path, summary_path = directory / "requests.csv", directory / "summary.json"
    fields = ["index", "start_ms", "latency_ms", "status", "error", "replica", "uuid"]
    with requests_path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        for record in result.records:
            writer.writerow(asdict(record))
    summary_path.write_text(json.dumps(result.summary.to_dict(), indent=2))
    return [requests_path, summary_path]
