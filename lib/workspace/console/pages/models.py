"""Models: the list with status; a model's page with builds, deployments, replicas, its access
key, the Test Request box and charts; create (with its first build), build, deploy, stop and
redeploy, for operators."""

from __future__ import annotations

import json

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from workspace import schemas
from workspace.console import charts, examples, lineage, queries
from workspace.console.auth import Checked, FormDep, SignedIn, Viewer, project_access
from workspace.console.outcome import Refused, attempt
from workspace.console.pages.projects import parse_environment, project_with_errors
from workspace.console.redeploy import cut_over
from workspace.console.render import TimedRoute, page
from workspace.processes.groups import log_tail
from workspace.schemas.states import DEPLOYMENTS_HOLDING_REPLICAS
from workspace.server.api.deps import ProjectAccess, ServicesDep, SessionDep
from workspace.server.api.routes import builds as build_routes
from workspace.server.api.routes import deployments as deployment_routes
from workspace.server.api.routes import models as model_routes
from workspace.server.api.routes.models import model_in_project
from workspace.server.storage import tables as db
from workspace.server.wiring import Services

router = APIRouter(route_class=TimedRoute)
MODEL = "/projects/{project_id}/models/{model_id}"
SHOWN = 20
DEPLOY_FIELDS = ("cpu", "memory", "replicas", "environment")
BUILD_FIELDS = ("file_path", "function_name", "runtime_identifier", "registered_model_version_id")
MODEL_FIELDS = ("name", "description", *BUILD_FIELDS)


@router.get("/models")
def list_models(request: Request, who: Viewer, session: SessionDep, offset: int = 0) -> Response:
    stmt = select(db.Model).where(*queries.visible(who.user, db.Model.project_id))
    listing = queries.paged(session, stmt.order_by(db.Model.created_at.desc(), db.Model.id), offset)
    newest = queries.newest_deployments(session, [m.id for m in listing.rows])
    return page(request, "models.html", who, listing=listing, newest=newest)


def _model_page(
    request: Request,
    who: SignedIn,
    session: Session,
    services: Services,
    project_id: str,
    model_id: str,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    """The model page: the newest builds and deployments, replicas of those holding some."""
    access = project_access(session, who, project_id, "viewer")
    model = model_in_project(session, project_id, model_id)
    builds = session.scalars(
        select(db.Build).where(db.Build.model_id == model.id)
        .order_by(db.Build.created_at.desc()).limit(SHOWN)
    ).all()  # fmt: skip
    deployments = session.scalars(
        select(db.Deployment).where(db.Deployment.model_id == model.id)
        .order_by(db.Deployment.created_at.desc()).limit(SHOWN)
    ).all()  # fmt: skip
    holding = [d for d in deployments if d.status in DEPLOYMENTS_HOLDING_REPLICAS]
    replicas = {d.id: services.backend.status(d.id) for d in holding}
    serving = next((d for d in deployments if d.status == "deployed"), None)
    built = next((b for b in builds if b.status == "built"), None)
    example = examples.example_request(services.builder.build_dir(built.id), built) if built else {}
    return page(
        request,
        "model.html",
        who,
        status_code=status,
        project=access.project,
        role=access.role,
        model=model,
        builds=builds,
        deployments=deployments,
        replicas=replicas,
        serving=serving,
        example=json.dumps(example, indent=2),
        example_hint=examples.hint(built, example),
        runtimes=services.runtimes.runtimes,
        windows=list(charts.WINDOWS_S),
        lineage=lineage.of_builds(services, builds[:5]),
        errors=errors or {},
    )


@router.get(MODEL)
def model_page(
    request: Request, project_id: str, model_id: str, who: Viewer, session: SessionDep,
    services: ServicesDep,
) -> Response:  # fmt: skip
    return _model_page(request, who, session, services, project_id, model_id)


@router.get(MODEL + "/builds/{build_id}/log")
def build_log(
    project_id: str, model_id: str, build_id: str, who: Viewer, session: SessionDep,
    services: ServicesDep,
) -> Response:  # fmt: skip
    project_access(session, who, project_id, "viewer")
    build_routes.build_in_model(session, project_id, model_id, build_id)
    text = log_tail(services.builder.log_path(build_id), max_bytes=build_routes.LOG_TAIL_BYTES)
    return PlainTextResponse(text or "(no output yet)")


def _build_body(form: dict[str, str]) -> schemas.BuildCreate:
    """The build a form asks for; blank fields are unset, as the API reads them."""
    values = {f: form.get(f, "").strip() or None for f in BUILD_FIELDS}
    values["runtime_identifier"] = values["runtime_identifier"] or ""
    return attempt(
        lambda: schemas.BuildCreate(**values, comment=form.get("comment", "").strip()), BUILD_FIELDS
    )


def _start_build(
    model_id: str,
    body: schemas.BuildCreate,
    access: ProjectAccess,
    session: Session,
    services: Services,
) -> None:
    attempt(
        lambda: build_routes.create_model_build(
            model_id, body, access, session, services.builder, services.runtimes
        ),
        BUILD_FIELDS,
    )


@router.post(MODEL + "/builds")
def create_build(
    request: Request, project_id: str, model_id: str, who: Checked, session: SessionDep,
    form: FormDep, services: ServicesDep,
) -> Response:  # fmt: skip
    access = project_access(session, who, project_id, "operator")
    try:
        _start_build(model_id, _build_body(form), access, session, services)
    except Refused as refused:
        session.rollback()
        errors = {f"build_{refused.field or 'file_path'}": refused.message}
        return _model_page(request, who, session, services, project_id, model_id, errors, 400)
    return RedirectResponse(MODEL.format(project_id=project_id, model_id=model_id), 303)


@router.post("/projects/{project_id}/models")
def create_model(
    request: Request, project_id: str, who: Checked, session: SessionDep, form: FormDep,
    services: ServicesDep,
) -> Response:  # fmt: skip
    """The API's create, then its build when the form names what to build: a model whose build
    is refused is removed again, so a refusal leaves nothing behind."""
    access = project_access(session, who, project_id, "operator")
    try:
        if not form.get("name", "").strip():
            raise Refused("give the model a name", "name")
        body = attempt(
            lambda: schemas.ModelCreate(
                name=form["name"].strip(), description=form.get("description", "").strip()
            ),
            MODEL_FIELDS,
        )
        build = _build_body(form)
        wants_build = build.file_path or build.function_name or build.registered_model_version_id
        if build.runtime_identifier and not wants_build:
            raise Refused("a runtime needs a file and function to build", "file_path")
        model = attempt(
            lambda: model_routes.create_model(body, access, session, services.backend),
            MODEL_FIELDS,
        )
        if wants_build:
            try:
                _start_build(model.id, build, access, session, services)
            except Refused:
                session.rollback()
                session.delete(session.get(db.Model, model.id))
                session.commit()
                raise
    except Refused as refused:
        session.rollback()
        errors = {f"model_{refused.field or 'name'}": refused.message}
        return project_with_errors(request, who, session, services, access, errors, form, "model")
    return RedirectResponse(MODEL.format(project_id=project_id, model_id=model.id), 303)


def _deployment_body(form: dict[str, str], environment: dict) -> schemas.DeploymentCreate:
    values: dict = {"environment": environment}
    for name in DEPLOY_FIELDS[:3]:
        raw = form.get(name, "").strip()
        try:
            values[name] = int(raw) if name == "replicas" else float(raw)
        except ValueError:
            raise Refused(f"{name} must be a number, not {raw!r}", name) from None
    return attempt(lambda: schemas.DeploymentCreate(**values), DEPLOY_FIELDS)


@router.post(MODEL + "/builds/{build_id}/deploy")
def deploy_build(
    request: Request, project_id: str, model_id: str, build_id: str, who: Checked,
    session: SessionDep, form: FormDep, services: ServicesDep,
) -> Response:  # fmt: skip
    """Deploy a build; with ``replace`` set, the deployment it names stops once this one serves
    (a redeploy with more resources)."""
    access = project_access(session, who, project_id, "operator")
    replaced = form.get("replace", "")
    old = session.get(db.Deployment, replaced) if replaced else None
    if old is not None and old.model_id != model_id:
        old = None
    try:
        # A redeploy keeps the environment it replaces (never written into the page).
        environment = (
            dict(old.environment) if old is not None
            else parse_environment(form.get("environment", ""))
        )  # fmt: skip
        body = _deployment_body(form, environment)
        created = attempt(
            lambda: deployment_routes.create_model_deployment(
                model_id, build_id, body, access, session, services.deployer, services.backend
            ),
            DEPLOY_FIELDS,
        )
    except Refused as refused:
        session.rollback()
        prefix = "redeploy" if replaced else "deploy"
        errors = {f"{prefix}_{refused.field or 'cpu'}": refused.message}
        return _model_page(request, who, session, services, project_id, model_id, errors, 400)
    if old is not None:
        services.executor.submit(cut_over, services, old.id, created.id)
    return RedirectResponse(MODEL.format(project_id=project_id, model_id=model_id), 303)


@router.post(MODEL + "/deployments/{deployment_id}/{action}")
def deployment_action(
    project_id: str, model_id: str, deployment_id: str, action: str, who: Checked,
    session: SessionDep, services: ServicesDep,
) -> Response:  # fmt: skip
    access = project_access(session, who, project_id, "operator")
    dep = session.get(db.Deployment, deployment_id)
    if dep is None or dep.model_id != model_id:
        raise HTTPException(404, f"deployment '{deployment_id}' not found in model '{model_id}'")
    if action not in ("stop", "restart"):
        raise HTTPException(404, f"no deployment action '{action}': use stop or restart")
    call = (
        deployment_routes.stop_model_deployment
        if action == "stop"
        else (deployment_routes.restart_model_deployment)
    )
    call(model_id, dep.build_id, deployment_id, access, session, services.deployer)
    return RedirectResponse(MODEL.format(project_id=project_id, model_id=model_id), 303)


@router.get(MODEL + "/monitoring")
def monitoring(
    project_id: str, model_id: str, who: Viewer, session: SessionDep, services: ServicesDep,
    window: str = "15m",
) -> Response:  # fmt: skip
    """The charts' series over ``window`` (5m, 15m, 1h, 6h, 24h)."""
    project_access(session, who, project_id, "viewer")
    model = model_in_project(session, project_id, model_id)
    if window not in charts.WINDOWS_S:
        raise HTTPException(400, f"window '{window}' is not one of {list(charts.WINDOWS_S)}")
    seconds = charts.WINDOWS_S[window]
    settle_ms = max(charts.SETTLE_MS, int(services.settings.request_timeout_s * 2000))
    services.telemetry.flush()
    deployment_ids = session.scalars(
        select(db.Deployment.id).where(db.Deployment.model_id == model.id)
        .order_by(db.Deployment.created_at.desc()).limit(SHOWN)
    ).all()  # fmt: skip
    return JSONResponse(
        {
            "window": window,
            "requests": charts.request_series(session, model.crn, seconds, settle_ms=settle_ms),
            "replicas": charts.replica_series(session, deployment_ids, seconds),
        }
    )
