"""``workspace up | down | status | session | lineage``: the workspace server (and MLflow) and
notebook sessions, run in the background, and a prediction's lineage.

Why a pidfile and a log under LAB_HOME: the server outlives the terminal that started it, and
`down` / `status` in another terminal must find it without asking the user for a process id.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from typing import Annotated

import requests
import typer

from workspace import pid_file
from workspace.core.config import WorkspaceSettings, get_settings
from workspace.processes.groups import log_tail, signal_group, start_in_group

app = typer.Typer(help="Run the Logistics MLOps Lab workspace.", no_args_is_help=True)


def _pid(settings: WorkspaceSettings) -> int | None:
    """The server's pid from the pidfile, or None when no process there is the server."""
    return pid_file.running_server(settings.pid_file)


def _healthy(settings: WorkspaceSettings) -> dict | None:
    try:
        answer = requests.get(f"{settings.server_url}/api/v2/health", timeout=1)
        return answer.json() if answer.ok else None
    except (requests.RequestException, ValueError):
        return None


def _log_tail(settings: WorkspaceSettings, lines: int = 15) -> str:
    return log_tail(settings.logs_dir / "server.log", lines=lines)


@app.command()
def up(
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the server to answer.")] = 60,
) -> None:
    """Start the server and MLflow in the background; print the URL (and the admin key once)."""
    settings = get_settings()
    settings.logs_dir.mkdir(parents=True, exist_ok=True)
    if _pid(settings) and _healthy(settings):
        typer.echo(f"workspace already running at {settings.server_url}")
        return
    first_start = not settings.credentials_file.exists()
    proc = start_in_group(
        [sys.executable, "-m", "workspace.server"],
        cwd=os.getcwd(),
        env=os.environ,
        log_path=settings.logs_dir / "server.log",
    )
    pid_file.record(settings.pid_file, proc.pid)
    deadline = time.monotonic() + timeout
    while not _healthy(settings):
        if proc.poll() is not None or time.monotonic() > deadline:
            why = "exited" if proc.poll() is not None else f"did not answer in {timeout:g} s"
            typer.echo(f"error: the workspace server {why}; last log lines:", err=True)
            typer.echo(_log_tail(settings), err=True)
            raise typer.Exit(1)
        time.sleep(0.2)
    typer.echo(f"workspace running at {settings.server_url} (API docs: {settings.server_url}/docs)")
    typer.echo(f"console: {settings.server_url}/ (sign in with an API key)")
    typer.echo(f"MLflow tracking URI: {settings.mlflow_tracking_uri}")
    typer.echo(f"logs: {settings.logs_dir}")
    if first_start and settings.credentials_file.exists():
        key = json.loads(settings.credentials_file.read_text())["api_key"]
        typer.echo(f"admin API key (shown once, saved to {settings.credentials_file}):")
        typer.echo(f"  export LAB_API_KEY={key}")


@app.command()
def down(
    timeout: Annotated[float, typer.Option(help="Seconds to wait before killing it.")] = 30,
) -> None:
    """Stop the server; its replicas and the MLflow server it started stop with it."""
    settings = get_settings()
    pid = _pid(settings)
    if pid is None:
        typer.echo("workspace is not running")
        settings.pid_file.unlink(missing_ok=True)
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _pid(settings) == pid and time.monotonic() < deadline:
        time.sleep(0.2)
    if _pid(settings) == pid:
        signal_group(pid, signal.SIGKILL)
        typer.echo(f"workspace did not stop within {timeout:g} s; killed it")
    settings.pid_file.unlink(missing_ok=True)
    typer.echo("workspace stopped")


@app.command()
def status() -> None:
    """Say whether the server runs, where, and which MLflow it uses."""
    settings = get_settings()
    pid, health = _pid(settings), _healthy(settings)
    if health is None:
        state = f"not answering (pid {pid})" if pid else "not running"
        typer.echo(f"workspace: {state}; start it with `workspace up`")
        raise typer.Exit(0 if pid is None else 1)
    typer.echo(f"workspace: running at {settings.server_url} (pid {pid})")
    typer.echo(f"MLflow tracking URI: {health.get('mlflow_tracking_uri')}")
    typer.echo(f"state: {settings.lab_home}")


@app.command()
def session(
    project: Annotated[str, typer.Argument(help="Project id or name.")],
    stop: Annotated[bool, typer.Option("--stop", help="Stop the project's session.")] = False,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for JupyterLab.")] = 120,
) -> None:
    """Open JupyterLab (percent scripts open as notebooks) in a project's folder, with the
    environment its jobs get; print the URL. `--stop` ends it."""
    from workspace.client import WorkspaceClient, WorkspaceError
    from workspace.session import SessionError, start_session, stop_session

    settings = get_settings()
    if stop:
        stopped = stop_session(settings, project)
        typer.echo(f"session of {project} stopped" if stopped else f"no session of {project} runs")
        return
    try:
        info, new = start_session(settings, WorkspaceClient(), project, timeout=timeout)
    except (SessionError, WorkspaceError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"session of {info.project_name} {'started' if new else 'already running'}")
    typer.echo(f"  {info.url}")
    typer.echo(f"log: {info.log_path}; stop it with `workspace session --stop {info.project_name}`")


@app.command()
def lineage(
    prediction_uuid: Annotated[str, typer.Argument(help="The prediction's uuid (PredictionUUID).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the API's JSON answer.")] = False,
) -> None:
    """From a prediction to its deployment, build, model, MLflow run, parameters and the table
    snapshot the model learned from."""
    from rich.console import Console

    from workspace.client import WorkspaceClient, WorkspaceError
    from workspace.lineage_view import lineage_tree

    try:
        found = WorkspaceClient().get_prediction_lineage(prediction_uuid)
    except WorkspaceError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    if as_json:
        typer.echo(json.dumps(found.to_dict(), indent=2))
    else:
        Console(highlight=False).print(lineage_tree(found))


if __name__ == "__main__":
    app()
