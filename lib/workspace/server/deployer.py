"""Deployment lifecycle: pending → deploying → deployed, stopping → stopped, or failed.

A stop drains first: the endpoint stops routing to the deployment, requests already on it finish,
then its replicas stop; so a redeploy's cut-over (new one deployed, old one stopped) fails none.

Why threads and per-deployment locks: backend calls block (starting processes, waiting for them
to die), and a stop or restart that arrives while replicas are still coming up must wait for the
start to notice and step aside, never run alongside it.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict

from sqlalchemy import delete, select

from workspace.server import db
from workspace.server.api.routes.users import issue_key
from workspace.server.state import Workspace
from workspace.serving.backend import DeploymentSpec, ReplicaState

RUNNING = ("pending", "deploying", "deployed")
GIVE_UP_RESTARTS = 3
DRAIN_GRACE_S = 0.1


class Deployer:
    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self._locks: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)
        self._cancelled: set[str] = set()
        self.active: set[str] = set()
        """Deployments whose replicas the backend runs now (what the sampler watches)."""

    def deploy(self, deployment_id: str) -> None:
        self._cancelled.discard(deployment_id)
        self.ws.executor.submit(self._deploy, deployment_id)

    def stop(self, deployment_id: str) -> None:
        self._cancelled.add(deployment_id)
        self.ws.executor.submit(self._stop, deployment_id, "stopped")

    def restart(self, deployment_id: str) -> None:
        self._cancelled.add(deployment_id)
        self.ws.executor.submit(self._restart, deployment_id)

    def restore(self) -> None:
        """After a server restart: bring back what was running, finish what was stopping."""
        with self.ws.session() as session:
            rows = session.execute(select(db.Deployment.id, db.Deployment.status)).all()
            builds = session.scalars(
                select(db.Build.id).where(db.Build.status.in_(("pending", "building")))
            ).all()
        for build_id in builds:
            self.ws.builder.submit(build_id)
        for deployment_id, status in rows:
            if status in RUNNING:
                self.deploy(deployment_id)
            elif status == "stopping":
                self.ws.executor.submit(self._stop, deployment_id, "stopped")

    def _spec(self, deployment_id: str) -> DeploymentSpec | None:
        """Mark the deployment deploying, mint its replicas' API key, and describe it."""
        settings = self.ws.settings
        with self.ws.session() as session:
            dep = session.get(db.Deployment, deployment_id)
            if dep is None:
                return None
            build = session.get(db.Build, dep.build_id)
            model = session.get(db.Model, dep.model_id)
            project = session.get(db.Project, dep.project_id)
            creator = session.get(db.User, dep.creator_id)
            session.execute(delete(db.ApiKey).where(db.ApiKey.deployment_id == deployment_id))
            key = issue_key(session, creator, name="replicas", deployment_id=deployment_id)
            dep.status, dep.failure_reason = "deploying", None
            session.commit()
            env = {**(project.environment or {}), **(dep.environment or {})}
            env.setdefault("MLFLOW_TRACKING_URI", settings.mlflow_tracking_uri)
            env.update(
                LAB_API_URL=settings.server_url,
                LAB_API_KEY=key,
                LAB_PROJECT_ID=project.id,
                LAB_HOME=str(settings.lab_home),
                LAB_MODEL_CRN=model.crn,
                LAB_MODEL_BUILD_CRN=build.crn,
                LAB_MODEL_DEPLOYMENT_CRN=dep.crn,
            )
            return DeploymentSpec(
                deployment_id=dep.id,
                build_dir=settings.builds_dir / build.id,
                file_path=None if build.model_uri else build.file_path,
                function_name=None if build.model_uri else build.function_name,
                model_uri=build.model_uri,
                cpu=dep.cpu,
                memory_gb=dep.memory,
                replicas=dep.replicas,
                environment=env,
            )

    def _deploy(self, deployment_id: str) -> None:
        with self._locks[deployment_id]:
            spec = self._spec(deployment_id)
            if spec is None:
                return
            try:
                self.ws.backend.deploy(spec)
                self.active.add(deployment_id)
                status, reason = self._wait_ready(deployment_id, spec.replicas)
            except Exception as exc:
                status, reason = "failed", f"{type(exc).__name__}: {exc}"
            if status is None:  # a stop or restart took over
                return
            if status == "failed":
                self._stop_replicas(deployment_id)
            self._set(deployment_id, status, reason)

    def _wait_ready(self, deployment_id: str, wanted: int) -> tuple[str | None, str | None]:
        deadline = time.monotonic() + self.ws.settings.deploy_timeout_s
        last_error = None
        while time.monotonic() < deadline:
            if deployment_id in self._cancelled or self.ws.stopping.is_set():
                return None, None
            replicas = self.ws.backend.status(deployment_id)
            ready = sum(r.state == ReplicaState.READY for r in replicas)
            errors = [r.last_error for r in replicas if r.last_error]
            last_error = errors[-1] if errors else last_error
            if ready >= wanted:
                return "deployed", None
            hopeless = all(
                r.state == ReplicaState.FAILED or r.restarts >= GIVE_UP_RESTARTS for r in replicas
            )
            if replicas and ready == 0 and hopeless:
                return "failed", f"replicas failed to start: {last_error or 'no error reported'}"
            time.sleep(0.05)
        timeout = self.ws.settings.deploy_timeout_s
        return "failed", f"replicas not ready after {timeout:.0f} s: {last_error or 'no error'}"

    def _stop_replicas(self, deployment_id: str) -> None:
        try:
            self.ws.backend.stop(deployment_id)
        finally:
            self.active.discard(deployment_id)

    def drain(self, deployment_id: str) -> None:
        """Stop routing new requests to the deployment, then wait (at most one request timeout)
        for those already on it, so stopping its replicas cuts no request short."""
        with self.ws.session() as session:
            model_id = session.scalar(
                select(db.Deployment.model_id).where(db.Deployment.id == deployment_id)
            )
        if model_id is not None:
            self.ws.index.refresh_model(model_id)  # routes only to deployed, non-stopping ones
        # A request that read the old route just before the swap is counted within microseconds.
        time.sleep(DRAIN_GRACE_S)
        deadline = time.monotonic() + self.ws.settings.request_timeout_s
        while self.ws.router.inflight(deployment_id) and time.monotonic() < deadline:
            if self.ws.stopping.is_set():
                return
            time.sleep(0.02)

    def _stop(self, deployment_id: str, final: str) -> None:
        with self._locks[deployment_id]:
            self.drain(deployment_id)
            self._stop_replicas(deployment_id)
            with self.ws.session() as session:
                session.execute(delete(db.ApiKey).where(db.ApiKey.deployment_id == deployment_id))
                session.commit()
            self._set(deployment_id, final, None)

    def _restart(self, deployment_id: str) -> None:
        with self._locks[deployment_id]:
            self._stop_replicas(deployment_id)
        self._cancelled.discard(deployment_id)
        self._deploy(deployment_id)

    def _set(self, deployment_id: str, status: str, reason: str | None) -> None:
        with self.ws.session() as session:
            dep = session.get(db.Deployment, deployment_id)
            if dep is None:
                return
            dep.status, dep.failure_reason = status, reason
            if status == "deployed":
                dep.deployed_at = db.utcnow()
            if status == "stopped":
                dep.stopped_at = db.utcnow()
            session.commit()
            model_id = dep.model_id
        self.ws.index.refresh_model(model_id)
