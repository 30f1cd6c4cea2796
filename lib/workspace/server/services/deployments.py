"""Deployment lifecycle: pending → deploying → deployed, stopping → stopped, or failed.

A deployment may be created while its build is still building (CML's notebooks do it): it stays
pending until the build is built, then deploys, or fails with the build's own reason.

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
from concurrent.futures import Executor

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from workspace.core.config import WorkspaceSettings
from workspace.processes.accounts import AccountError, Accounts, account_of
from workspace.processes.environment import ProjectIdentity, child_environment
from workspace.processes.python_envs import EnvironmentFailed, build_python
from workspace.schemas.states import DEPLOYMENTS_RUNNING, BuildStatus, DeploymentStatus
from workspace.server.endpoint.index import ModelIndex
from workspace.server.services.errors import Conflict, NotFound
from workspace.server.storage import crud
from workspace.server.storage import tables as db
from workspace.serving.backend import DeploymentSpec, ReplicaState, ServingBackend
from workspace.serving.router import ModelRouter

STOPPING_OR_STOPPED = frozenset({DeploymentStatus.STOPPING, DeploymentStatus.STOPPED})
GIVE_UP_RESTARTS = 3
BUILD_POLL_S = 0.2
DRAIN_GRACE_S = 0.1


class Deployer:
    """Runs deployments' replicas on the serving backend and keeps their rows and routes true."""

    def __init__(
        self,
        settings: WorkspaceSettings,
        sessions: sessionmaker,
        *,
        backend: ServingBackend,
        router: ModelRouter,
        index: ModelIndex,
        executor: Executor,
        stopping: threading.Event,
        accounts: Accounts | None = None,
    ) -> None:
        self.settings = settings
        self.accounts = accounts
        self.sessions = sessions
        self.backend = backend
        self.router = router
        self.index = index
        self.executor = executor
        self.stopping = stopping
        self._locks: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)
        self._cancelled: set[str] = set()
        self._active: set[str] = set()

    def active(self) -> list[str]:
        """Deployments whose replicas the backend runs now (what the sampler watches)."""
        return list(self._active)

    def observed(self, dep: db.Deployment) -> db.Deployment:
        """``dep`` as its replicas are now: a deployment reported deployed whose every replica
        has failed for good is marked failed with their reason (and its key revoked), so the
        API never reports a dead deployment as serving."""
        if dep.status != DeploymentStatus.DEPLOYED or dep.id not in self._active:
            return dep
        replicas = self.backend.status(dep.id)
        if not replicas or any(r.state != ReplicaState.FAILED for r in replicas):
            return dep
        errors = [r.last_error for r in replicas if r.last_error]
        reason = f"every replica failed: {errors[-1] if errors else 'no error reported'}"
        self._set(dep.id, DeploymentStatus.FAILED, reason)
        self.executor.submit(self._stop_failed, dep.id)
        dep.status, dep.failure_reason = DeploymentStatus.FAILED, reason
        return dep

    def _stop_failed(self, deployment_id: str) -> None:
        with self._locks[deployment_id]:
            self._stop_replicas(deployment_id)
            self._revoke_keys(deployment_id)

    def _revoke_keys(self, deployment_id: str) -> None:
        with self.sessions() as session:
            crud.revoke_deployment_keys(session, deployment_id)
            session.commit()

    def deploy(self, deployment_id: str) -> None:
        self._cancelled.discard(deployment_id)
        self.executor.submit(self._deploy, deployment_id)

    def stop(self, deployment_id: str) -> db.Deployment:
        """Mark the deployment stopping and stop routing to it now; its replicas drain and stop
        in the background. A deployment already stopping or stopped is answered as it is."""
        dep, changed = self._transition(deployment_id, DeploymentStatus.STOPPING)
        if changed:
            self._cancelled.add(deployment_id)
            self.executor.submit(self._stop, deployment_id, DeploymentStatus.STOPPED)
        return dep

    def restart(self, deployment_id: str) -> db.Deployment:
        """Start the deployment's replicas again (new processes, same build and resources)."""
        dep, _ = self._transition(deployment_id, DeploymentStatus.DEPLOYING)
        self._cancelled.add(deployment_id)
        self.executor.submit(self._restart, deployment_id)
        return dep

    def _transition(
        self, deployment_id: str, status: DeploymentStatus
    ) -> tuple[db.Deployment, bool]:
        """Record the state a stop or restart starts from and re-route its model at once; the
        row, and False when a stop found it already stopping or stopped."""
        with self.sessions() as session:
            dep = session.get(db.Deployment, deployment_id)
            if dep is None:
                raise NotFound(f"deployment '{deployment_id}' not found")
            if status == DeploymentStatus.STOPPING and dep.status in STOPPING_OR_STOPPED:
                return dep, False
            if status == DeploymentStatus.DEPLOYING and dep.status == DeploymentStatus.STOPPING:
                raise Conflict(f"deployment '{deployment_id}' is stopping; wait, then restart")
            dep.status = status
            if status == DeploymentStatus.DEPLOYING:
                dep.failure_reason = None
            session.commit()
        self.index.refresh_model(dep.model_id)
        return dep, True

    def scale(self, deployment_id: str, replicas: int, wait_s: float = 0.0) -> bool:
        """Run ``replicas`` replicas of a running deployment now, and record the count (an
        autoscaling decision, or a switch to a fixed count). False, changing nothing, when a
        start, stop or restart still holds the deployment after ``wait_s``: try again later."""
        lock = self._locks[deployment_id]
        acquired = lock.acquire(timeout=wait_s) if wait_s > 0 else lock.acquire(blocking=False)
        if not acquired:
            return False
        try:
            if deployment_id not in self._active or self.stopping.is_set():
                return False
            self.backend.scale(deployment_id, replicas)
            with self.sessions() as session:
                dep = session.get(db.Deployment, deployment_id)
                if dep is not None:
                    dep.replicas = replicas
                    session.commit()
            return True
        finally:
            lock.release()

    def restore(self) -> None:
        """After a server restart: bring back what was running, finish what was stopping."""
        with self.sessions() as session:
            rows = session.execute(select(db.Deployment.id, db.Deployment.status)).all()
        for deployment_id, status in rows:
            if status in DEPLOYMENTS_RUNNING:
                self.deploy(deployment_id)
            elif status == DeploymentStatus.STOPPING:
                self.executor.submit(self._stop, deployment_id, DeploymentStatus.STOPPED)

    def _spec(self, deployment_id: str) -> DeploymentSpec | None:
        """Mark the deployment deploying, mint its replicas' API key, and describe it."""
        with self.sessions() as session:
            dep = session.get(db.Deployment, deployment_id)
            if dep is None:
                return None
            build = session.get(db.Build, dep.build_id)
            model = session.get(db.Model, dep.model_id)
            project = session.get(db.Project, dep.project_id)
            build_dir = self.settings.builds_dir / build.id
            python = None if build.model_uri else build_python(self.settings, build_dir)
            crud.revoke_deployment_keys(session, deployment_id)
            _, key = crud.issue_key(
                session, dep.creator, name="replicas", deployment_id=deployment_id
            )
            dep.status, dep.failure_reason = DeploymentStatus.DEPLOYING, None
            session.commit()
            env = child_environment(
                self.settings,
                project=ProjectIdentity(project.id, project.name, project.creator.username),
                api_key=key,
                layers=[project.environment, dep.environment],
                owned={
                    "LAB_MODEL_CRN": model.crn,
                    "LAB_MODEL_BUILD_CRN": build.crn,
                    "LAB_MODEL_DEPLOYMENT_CRN": dep.crn,
                },
            )
            return DeploymentSpec(
                deployment_id=dep.id,
                build_dir=build_dir,
                file_path=None if build.model_uri else build.file_path,
                function_name=None if build.model_uri else build.function_name,
                model_uri=build.model_uri,
                cpu=dep.cpu,
                memory_gb=dep.memory,
                replicas=dep.replicas,
                environment=python.activate(env) if python else env,
                python=python.python if python else None,
                account=account_of(self.accounts, project.id),
                autoscaling=dep.autoscaling_policy or None,
            )

    def _deploy(self, deployment_id: str) -> None:
        with self._locks[deployment_id]:
            built, reason = self._await_build(deployment_id)
            if not built:
                if reason is not None:  # else a stop or restart took over
                    self._set(deployment_id, DeploymentStatus.FAILED, reason)
                return
            try:
                spec = self._spec(deployment_id)
            except (EnvironmentFailed, AccountError) as exc:
                self._set(deployment_id, DeploymentStatus.FAILED, str(exc))
                return
            if spec is None:
                return
            try:
                self.backend.deploy(spec)
                self._active.add(deployment_id)
                status, reason = self._wait_ready(deployment_id, spec.replicas)
            except Exception as exc:
                status, reason = DeploymentStatus.FAILED, f"{type(exc).__name__}: {exc}"
            if status is None:  # a stop or restart took over
                return
            if status == DeploymentStatus.FAILED:
                self._stop_replicas(deployment_id)
                self._revoke_keys(deployment_id)  # a failed deployment keeps no key alive
            self._set(deployment_id, status, reason)

    def _await_build(self, deployment_id: str) -> tuple[bool, str | None]:
        """Wait until the deployment's build is built, as CML does for a deployment created right
        after its build: ``(True, None)``, or ``(False, why)`` when the build failed or took too
        long, or ``(False, None)`` when a stop, a restart or shutdown came first."""
        deadline = time.monotonic() + self.settings.build_timeout_s + self.settings.deploy_timeout_s
        while True:
            with self.sessions() as session:
                dep = session.get(db.Deployment, deployment_id)
                build = session.get(db.Build, dep.build_id) if dep else None
                if build is None:
                    return False, None
                status, build_id, failure = build.status, build.id, build.failure_reason
            if status == BuildStatus.BUILT:
                return True, None
            if status == BuildStatus.FAILED:
                return False, f"build {build_id} failed: {failure or 'no reason recorded'}"
            if deployment_id in self._cancelled or self.stopping.is_set():
                return False, None
            if time.monotonic() > deadline:
                return False, f"build {build_id} was still {status} when the deployment gave up"
            time.sleep(BUILD_POLL_S)

    def _wait_ready(
        self, deployment_id: str, wanted: int
    ) -> tuple[DeploymentStatus | None, str | None]:
        deadline = time.monotonic() + self.settings.deploy_timeout_s
        last_error = None
        while time.monotonic() < deadline:
            if deployment_id in self._cancelled or self.stopping.is_set():
                return None, None
            replicas = self.backend.status(deployment_id)
            ready = sum(r.state == ReplicaState.READY for r in replicas)
            errors = [r.last_error for r in replicas if r.last_error]
            last_error = errors[-1] if errors else last_error
            if ready >= wanted:
                return DeploymentStatus.DEPLOYED, None
            hopeless = all(
                r.state == ReplicaState.FAILED or r.restarts >= GIVE_UP_RESTARTS for r in replicas
            )
            if replicas and ready == 0 and hopeless:
                return (
                    DeploymentStatus.FAILED,
                    f"replicas failed to start: {last_error or 'no error reported'}",
                )
            time.sleep(0.05)
        timeout = self.settings.deploy_timeout_s
        return (
            DeploymentStatus.FAILED,
            f"replicas not ready after {timeout:.0f} s: {last_error or 'no error'}",
        )

    def _stop_replicas(self, deployment_id: str) -> None:
        try:
            self.backend.stop(deployment_id)
        finally:
            self._active.discard(deployment_id)

    def drain(self, deployment_id: str) -> None:
        """Stop routing new requests to the deployment, then wait (at most one request timeout)
        for those already on it, so stopping its replicas cuts no request short."""
        with self.sessions() as session:
            model_id = session.scalar(
                select(db.Deployment.model_id).where(db.Deployment.id == deployment_id)
            )
        if model_id is not None:
            self.index.refresh_model(model_id)  # routes only to deployed, non-stopping ones
        # A request that read the old route just before the swap is counted within microseconds.
        time.sleep(DRAIN_GRACE_S)
        deadline = time.monotonic() + self.settings.request_timeout_s
        while self.router.inflight(deployment_id) and time.monotonic() < deadline:
            if self.stopping.is_set():
                return
            time.sleep(0.02)

    def _stop(self, deployment_id: str, final: DeploymentStatus) -> None:
        with self._locks[deployment_id]:
            self.drain(deployment_id)
            self._stop_replicas(deployment_id)
            self._revoke_keys(deployment_id)
            self._set(deployment_id, final, None)

    def _restart(self, deployment_id: str) -> None:
        with self._locks[deployment_id]:
            self._stop_replicas(deployment_id)
        self._cancelled.discard(deployment_id)
        self._deploy(deployment_id)

    def _set(self, deployment_id: str, status: DeploymentStatus, reason: str | None) -> None:
        with self.sessions() as session:
            dep = session.get(db.Deployment, deployment_id)
            if dep is None:
                return
            dep.status, dep.failure_reason = status, reason
            if status == DeploymentStatus.DEPLOYED:
                dep.deployed_at = db.utcnow()
            if status == DeploymentStatus.STOPPED:
                dep.stopped_at = db.utcnow()
            if status == DeploymentStatus.FAILED:  # its replicas' keys end with it
                crud.revoke_deployment_keys(session, deployment_id)
            model_id = dep.model_id
            if status == DeploymentStatus.DEPLOYED:
                # routed before the commit: a client that sees "deployed" and calls the model at
                # once found no route for a new model in the instant between commit and refresh
                session.flush()
                self.index.refresh_model(model_id, session)
            try:
                session.commit()
            finally:
                self.index.refresh_model(model_id)  # as committed (or rolled back)
