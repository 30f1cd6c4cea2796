"""The FastAPI application: CML API v2 routes under /api/v2, ``POST /model`` and ``/metrics``.

Why a factory with a lifespan: the database, the serving backend, MLflow and the background tasks
start with the server and stop with it; on start, every deployment that was running comes back.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import select
from starlette.exceptions import HTTPException as StarletteHTTPException

from workspace.core.config import WorkspaceSettings, get_settings
from workspace.server import db
from workspace.server.api.deps import get_current_user
from workspace.server.api.routes import (
    builds,
    collaborators,
    deployments,
    job_runs,
    jobs,
    metrics,
    models,
    projects,
    users,
)
from workspace.server.api.routes.users import issue_key
from workspace.server.builder import Builder
from workspace.server.deployer import Deployer
from workspace.server.endpoint import ModelEndpoint, ModelIndex
from workspace.server.job_service import JobService
from workspace.server.mlflow_service import MlflowService
from workspace.server.state import Workspace
from workspace.server.telemetry import Telemetry


def bootstrap_admin(ws: Workspace) -> None:
    """On first start, create the admin user and save its key (mode 0600) for local scripts."""
    with ws.session() as session:
        if session.scalar(select(db.User.id).limit(1)):
            return
        admin = db.User(id="admin", username="admin", is_admin=True)
        session.add(admin)
        session.flush()
        key = issue_key(session, admin, name="first start")
        session.commit()
    path = ws.settings.credentials_file
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump({"api_url": ws.settings.server_url, "username": "admin", "api_key": key}, fh)
    os.chmod(path, 0o600)


def open_workspace(settings: WorkspaceSettings) -> Workspace:
    from workspace.serving.local import LocalProcessBackend
    from workspace.serving.router import ModelRouter

    for folder in (settings.projects_dir, settings.builds_dir, settings.logs_dir):
        folder.mkdir(parents=True, exist_ok=True)
    sessions = db.make_sessionmaker(db.make_engine(settings.sqlalchemy_url))
    backend = LocalProcessBackend(settings.replicas_dir)
    ws = Workspace(
        settings=settings,
        sessions=sessions,
        backend=backend,
        router=ModelRouter(backend),
        index=None,  # type: ignore[arg-type]
        telemetry=Telemetry(),
    )
    ws.index = ModelIndex(ws)
    ws.builder = Builder(ws)
    ws.deployer = Deployer(ws)
    ws.jobs = JobService(ws)
    ws.telemetry.bind(ws)
    return ws


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: WorkspaceSettings = app.state.settings
    ws = open_workspace(settings)
    app.state.workspace = ws
    app.state.model_endpoint = ModelEndpoint(ws)
    mlflow = MlflowService(settings)
    mlflow.start()
    bootstrap_admin(ws)
    ws.index.load_all()
    ws.deployer.restore()
    ws.jobs.start()
    tasks = [
        asyncio.create_task(ws.telemetry.flush_forever(settings.metrics_flush_s)),
        asyncio.create_task(ws.telemetry.sample_forever(settings.sampler_interval_s)),
    ]
    try:
        yield
    finally:
        ws.stopping.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.to_thread(ws.jobs.shutdown)
        await asyncio.to_thread(ws.telemetry.flush)
        await ws.router.aclose()
        await asyncio.to_thread(ws.backend.shutdown)
        ws.executor.shutdown(wait=False, cancel_futures=True)
        mlflow.stop()


def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
    return JSONResponse({"message": str(exc.detail)}, status_code=exc.status_code)


def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        detail = errors[0].get("ctx", {}).get("error", "")
        return JSONResponse({"message": f"malformed JSON body: {detail}"}, status_code=400)
    parts = []
    for e in errors[:5]:
        loc = ".".join(str(p) for p in e.get("loc", ()) if p not in ("body",)) or "body"
        parts.append(f"{loc}: {e.get('msg')}")
    return JSONResponse({"message": "; ".join(parts)}, status_code=422)


class WorkspaceApp:
    """The ASGI app uvicorn runs: ``/model`` goes straight to the model endpoint, the rest to
    FastAPI. Why: routing, middleware and dependency injection would cost the endpoint more time
    than the router it calls."""

    def __init__(self, api: FastAPI) -> None:
        self.api = api
        self.state = api.state

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and (path == "/model" or path.startswith("/model/")):
            await self.api.state.model_endpoint(scope, receive, send)
        else:
            await self.api(scope, receive, send)


def create_app(settings: WorkspaceSettings | None = None) -> WorkspaceApp:
    app = FastAPI(
        title="Logistics MLOps Lab workspace",
        description="A CML API v2 shaped control plane: projects, models, builds, deployments.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings or get_settings()
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)

    api = APIRouter(prefix="/api/v2", dependencies=[Depends(get_current_user)])
    for module in (projects, collaborators, models, builds, deployments, jobs, job_runs):
        api.include_router(module.router)
    for module in (metrics, users):
        api.include_router(module.router)
    api.include_router(jobs.all_jobs_router)
    app.include_router(api)

    @app.get("/api/v2/health", tags=["health"])
    def health(request: Request) -> dict[str, str]:
        """Liveness, without a key: what `workspace up` and `status` poll."""
        return {"status": "ok", "mlflow_tracking_uri": app.state.settings.mlflow_tracking_uri}

    @app.get("/metrics", include_in_schema=False)
    def prometheus(request: Request) -> Response:
        registry = request.app.state.workspace.telemetry.registry
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return WorkspaceApp(app)
