"""The server's long-lived parts in one object, hung on ``app.state.workspace``.

Why one object: routes, background workers and the model endpoint share the database, the
serving backend, the router and the access-key index; passing one thing keeps that explicit.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session, sessionmaker

from workspace.core.config import WorkspaceSettings

if TYPE_CHECKING:
    from workspace.server.builder import Builder
    from workspace.server.deployer import Deployer
    from workspace.server.endpoint import ModelIndex
    from workspace.server.job_service import JobService
    from workspace.server.telemetry import Telemetry
    from workspace.serving.backend import ServingBackend


@dataclass
class Workspace:
    settings: WorkspaceSettings
    sessions: sessionmaker
    backend: ServingBackend
    router: Any
    index: ModelIndex
    telemetry: Telemetry
    builder: Builder = field(init=False)
    deployer: Deployer = field(init=False)
    jobs: JobService = field(init=False)
    executor: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=8, thread_name_prefix="workspace")
    )
    stopping: threading.Event = field(default_factory=threading.Event)

    def session(self) -> Session:
        return self.sessions()
