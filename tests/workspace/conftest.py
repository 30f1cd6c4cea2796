"""Fixtures of the workspace tests: one shared server per run (and a factory for more), the PRD
project copied from prd_project/, and a deployed model most endpoint tests call."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from lab_server import PRD_FILES, Deployed, RunningServer, deploy, free_port, server_env
from workspace.client import WorkspaceClient


@pytest.fixture()
def make_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """Factory for extra servers (restart tests); every one is stopped at the end."""
    servers: list[RunningServer] = []

    def make(home: Path | None = None) -> RunningServer:
        home = home or tmp_path_factory.mktemp("workspace")
        port = free_port()
        server = RunningServer(home, port, server_env(home, port))
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    home = tmp_path_factory.mktemp("workspace")
    port = free_port()
    running = RunningServer(home, port, server_env(home, port)).start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def admin(server: RunningServer) -> WorkspaceClient:
    return server.client()


@pytest.fixture(scope="session")
def prd(admin: WorkspaceClient):
    """The PRD project, copied from tests/workspace/prd_project, with one environment variable."""
    return admin.create_project(
        name="PRD", template="local", local_path=str(PRD_FILES), environment={"GREETING": "hi"}
    )


@pytest.fixture(scope="session")
def tracked_model(admin: WorkspaceClient, prd) -> Deployed:
    """The `tracked` entry point of PRD, deployed at one replica with REGION=eu."""
    return deploy(
        admin,
        prd.id,
        "tracked",
        file_path="models.py",
        function_name="tracked",
        deployment={"environment": {"REGION": "eu"}},
    )
