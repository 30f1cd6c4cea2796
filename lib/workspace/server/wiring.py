"""Build the server's services, each with the collaborators it uses, in one place that only wires.

Why one function: the order of construction is the dependency graph (storage → serving backend →
router and access-key index → builds, deployments, jobs → telemetry → the model endpoint); seeing
it in one place shows what talks to what, and tests can wire a server without HTTP.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from sqlalchemy.orm import sessionmaker

from workspace.core.config import WorkspaceSettings
from workspace.processes.accounts import Accounts
from workspace.server.endpoint.asgi import ModelEndpoint
from workspace.server.endpoint.index import ModelIndex
from workspace.server.isolation import account_for_user_code
from workspace.server.loop_watch import LoopWatch
from workspace.server.services.alerts import Alerts
from workspace.server.services.autoscaler import Autoscaler
from workspace.server.services.builds import Builder
from workspace.server.services.deployments import Deployer
from workspace.server.services.job_runner import JobRunner
from workspace.server.services.metric_writer import MetricWriterProcess
from workspace.server.services.mlflow_server import MlflowService
from workspace.server.services.project_files import ProjectFiles
from workspace.server.services.registry import Registry
from workspace.server.services.runtimes import RuntimeCatalog
from workspace.server.services.scheduler import JobService
from workspace.server.services.telemetry import Telemetry
from workspace.server.storage import tables as db
from workspace.serving.backend import ServingBackend
from workspace.serving.choice import make_backend
from workspace.serving.router import ModelRouter


@dataclass(frozen=True)
class Services:
    """Everything long-lived the server runs, hung on ``app.state.services``."""

    settings: WorkspaceSettings
    sessions: sessionmaker
    backend: ServingBackend
    router: ModelRouter
    index: ModelIndex
    projects: ProjectFiles
    runtimes: RuntimeCatalog
    builder: Builder
    deployer: Deployer
    jobs: JobService
    telemetry: Telemetry
    metric_writer: MetricWriterProcess
    autoscaler: Autoscaler
    endpoint: ModelEndpoint
    mlflow: MlflowService
    registry: Registry
    alerts: Alerts
    executor: ThreadPoolExecutor
    loop_watch: LoopWatch
    accounts: Accounts | None = None
    """The accounts user code runs as (one shared, or one per project); None: the server's."""
    stopping: threading.Event = field(default_factory=threading.Event)


def wire(settings: WorkspaceSettings) -> Services:
    for folder in (settings.projects_dir, settings.builds_dir, settings.logs_dir):
        folder.mkdir(parents=True, exist_ok=True)
    sessions = db.make_sessionmaker(db.make_engine(settings.sqlalchemy_url))
    executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="workspace")
    stopping = threading.Event()
    accounts = account_for_user_code(settings)
    backend = make_backend(settings)
    router = ModelRouter(backend)
    index = ModelIndex(sessions)
    deployer = Deployer(
        settings,
        sessions,
        backend=backend,
        router=router,
        index=index,
        executor=executor,
        stopping=stopping,
        accounts=accounts,
    )
    metric_writer = MetricWriterProcess(settings.sqlalchemy_url)
    telemetry = Telemetry(sessions, backend, deployer.active, writer=metric_writer.write)
    jobs = JobService(sessions, JobRunner(settings, sessions, accounts=accounts), stopping=stopping)
    registry = Registry(settings.mlflow_tracking_uri)
    return Services(
        settings=settings,
        sessions=sessions,
        backend=backend,
        router=router,
        index=index,
        projects=ProjectFiles(settings, sessions, executor),
        runtimes=RuntimeCatalog.of_this_server(),
        builder=Builder(settings, sessions, executor, accounts=accounts),
        deployer=deployer,
        jobs=jobs,
        telemetry=telemetry,
        metric_writer=metric_writer,
        autoscaler=Autoscaler(
            settings,
            sessions,
            deployer=deployer,
            backend=backend,
            router=router,
            registry=telemetry.registry,
        ),
        endpoint=ModelEndpoint(
            index,
            router,
            telemetry,
            max_body_bytes=settings.max_body_bytes,
            request_timeout_s=settings.request_timeout_s,
            max_json_depth=settings.max_json_depth,
        ),
        mlflow=MlflowService(settings),
        registry=registry,
        alerts=Alerts(telemetry.registry, jobs, registry),
        executor=executor,
        loop_watch=LoopWatch(telemetry.registry),
        accounts=accounts,
        stopping=stopping,
    )
