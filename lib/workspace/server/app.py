"""The FastAPI application: CML API v2 routes under /api/v2, ``POST /model``, ``/metrics`` and
the web console at ``/``.

Why a factory with a lifespan: the database, the serving backend, MLflow and the background tasks
start with the server and stop with it; on start, every deployment that was running comes back.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import threading
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from workspace import console
from workspace.core.config import WorkspaceSettings, get_settings
from workspace.server.api import errors
from workspace.server.api.body_guard import ApiBodyGuard
from workspace.server.api.deps import SessionDep, get_current_user, user_of_authorization
from workspace.server.api.routes import (
    alerts,
    builds,
    collaborators,
    deployments,
    job_runs,
    jobs,
    keys,
    metrics,
    models,
    predictions,
    projects,
    python_client,
    registry,
    runtimes,
    unimplemented,
    users,
)
from workspace.server.storage import crud
from workspace.server.storage.home import close_home
from workspace.server.wiring import Services, wire


def save_admin_credentials(settings: WorkspaceSettings, key: str) -> None:
    """The first admin's key (mode 0600), for scripts on this machine."""
    path = settings.credentials_file
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump({"api_url": settings.server_url, "username": crud.ADMIN, "api_key": key}, fh)
    os.chmod(path, 0o600)


async def start(services: Services) -> list[asyncio.Task]:
    """Bring the workspace up: MLflow, the first admin, model routes, what was running (and
    projects a crash left half-created)."""
    services.mlflow.start()
    with services.sessions() as session:
        key = crud.bootstrap_admin(session)
    if key is not None:
        save_admin_credentials(services.settings, key)
    close_home(services.settings.lab_home, traversable=services.accounts is not None)
    services.index.load_all()
    services.projects.restore()
    services.builder.restore()
    services.deployer.restore()
    services.jobs.start()
    telemetry, settings = services.telemetry, services.settings
    # The startup heap (FastAPI, MLflow, SQLAlchemy...) is never garbage; a full collection that
    # walks it stopped every request for 0.1-0.7 s. Frozen, collections see only newer objects.
    gc.collect()
    gc.freeze()
    services.loop_watch.install()
    threading.Thread(target=services.metric_writer.start, name="metric-writer", daemon=True).start()
    threading.Thread(
        target=warm_registry, args=(services,), name="registry-warm-up", daemon=True
    ).start()
    return [
        asyncio.create_task(services.loop_watch.watch_forever()),
        asyncio.create_task(telemetry.flush_forever(settings.metrics_flush_s)),
        asyncio.create_task(telemetry.sample_forever(settings.sampler_interval_s)),
        asyncio.create_task(services.autoscaler.evaluate_forever(settings.autoscale_interval_s)),
        asyncio.create_task(
            telemetry.purge_forever(
                settings.retention_purge_s,
                metrics_days=settings.metrics_retention_days,
                samples_days=settings.samples_retention_days,
            )
        ),
    ]


def warm_registry(services: Services) -> None:
    """Once MLflow answers, import it and make the registry client, then freeze that heap too
    (as the startup heap is) so that collections do not walk it; no collection first, which
    would stall requests already being served. In a daemon thread: a server stopped before
    MLflow answered does not wait for it."""
    if services.mlflow.wait_until_answering(services.stopping) and services.registry.warm():
        gc.freeze()


async def stop(services: Services, tasks: list[asyncio.Task]) -> None:
    """Stop in reverse: background tasks, job runs, metrics, connections, replicas, MLflow."""
    services.stopping.set()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    services.loop_watch.uninstall()
    gc.unfreeze()
    await asyncio.to_thread(services.jobs.shutdown)
    await asyncio.to_thread(services.telemetry.flush)
    await asyncio.to_thread(services.metric_writer.close)
    await services.router.aclose()
    await asyncio.to_thread(services.backend.shutdown)
    services.executor.shutdown(wait=False, cancel_futures=True)
    services.mlflow.stop()


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    services = wire(app.state.settings)
    app.state.services = services
    tasks = await start(services)
    try:
        yield
    finally:
        await stop(services, tasks)


class WorkspaceApp:
    """The ASGI app uvicorn runs: ``/model`` goes straight to the model endpoint, the rest to
    FastAPI behind the body guard of ``/api/v2``. Why: routing, middleware and dependency
    injection would cost the endpoint more time than the router it calls."""

    def __init__(self, api: FastAPI) -> None:
        self.api = api
        self.state = api.state
        self.guarded = ApiBodyGuard(api)

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and (path == "/model" or path.startswith("/model/")):
            await self.api.state.services.endpoint(scope, receive, send)
        else:
            await self.guarded(scope, receive, send)


def create_app(settings: WorkspaceSettings | None = None) -> WorkspaceApp:
    app = FastAPI(
        title="Logistics MLOps Lab workspace",
        description="A CML API v2 shaped control plane: projects, models, builds, deployments.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # the console serves /docs with Swagger UI's files vendored at setup
        redoc_url=None,
    )
    app.state.settings = settings or get_settings()
    errors.install(app)

    @app.get("/api/v2/health", tags=["health"])
    def health(request: Request) -> dict[str, str]:
        """Liveness, without a key: what `workspace up` and `status` poll (declared before the
        API's routes, whose last one answers every path they did not take)."""
        return {"status": "ok", "mlflow_tracking_uri": app.state.settings.mlflow_tracking_uri}

    app.include_router(python_client.router)  # without a key, as CML's download link

    api = APIRouter(prefix="/api/v2", dependencies=[Depends(get_current_user)])
    for module in (projects, collaborators, models, builds, deployments, alerts, jobs, job_runs):
        api.include_router(module.router)
    for module in (metrics, predictions, runtimes, users, registry, keys):
        api.include_router(module.router)
    api.include_router(jobs.all_jobs_router)
    api.include_router(models.all_models_router)
    api.include_router(unimplemented.router)  # last: what no other route took
    app.include_router(api)

    @app.get("/metrics", include_in_schema=False)
    def prometheus(request: Request, session: SessionDep) -> Response:
        """Prometheus text, behind a bearer API key unless LAB_METRICS_PUBLIC opens it: model
        names and traffic are the workspace's business (scrape with ``authorization``)."""
        if not request.app.state.settings.metrics_public:
            user_of_authorization(session, request.headers.get("authorization", ""))
        registry = request.app.state.services.telemetry.registry
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    console.install(app, session_ttl_s=app.state.settings.console_session_s)  # last: paths at /
    return WorkspaceApp(app)
