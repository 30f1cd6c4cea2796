"""``wait_for_build`` / ``wait_for_deployment``: poll until a terminal state, fail loudly.

Why a mixin: client calls return as soon as the server accepts the work; scripts that need the
result wait here, with a timeout and an error that carries the state and the last log lines.
"""

from __future__ import annotations

import time
from typing import Any

from workspace.client import _models as m
from workspace.client._errors import BuildFailed, DeploymentFailed, Timeout, WorkspaceError


class WaitingMixin:
    get_model_build: Any
    get_model_build_logs: Any
    get_model_deployment: Any
    list_model_replicas: Any

    def wait_for_build(
        self, project_id, model_id, build_id, *, timeout: float = 600, poll: float = 0.25
    ) -> m.ModelBuild:
        """Poll until the build is built; raise ``BuildFailed`` or ``Timeout`` with the log tail."""
        deadline = time.monotonic() + timeout
        while True:
            build = self.get_model_build(project_id, model_id, build_id)
            if build.status == "built":
                return build
            if build.status == "failed" or time.monotonic() > deadline:
                tail = self._log_tail(project_id, model_id, build_id)
                if build.status == "failed":
                    raise BuildFailed(
                        f"build {build_id} failed: {build.failure_reason}\n{tail}", log_tail=tail
                    )
                raise Timeout(
                    f"build {build_id} still {build.status} after {timeout:g} s\n{tail}",
                    log_tail=tail,
                )
            time.sleep(poll)

    def _log_tail(self, project_id, model_id, build_id, lines: int = 20) -> str:
        try:
            log = self.get_model_build_logs(project_id, model_id, build_id)
        except WorkspaceError:
            return ""
        return "\n".join(log.splitlines()[-lines:])

    def wait_for_deployment(
        self, project_id, model_id, build_id, deployment_id, *, timeout: float = 600,
        poll: float = 0.1,
    ) -> m.ModelDeployment:  # fmt: skip
        """Poll until deployed; raise ``DeploymentFailed`` or ``Timeout`` naming the state."""
        deadline = time.monotonic() + timeout
        while True:
            dep = self.get_model_deployment(project_id, model_id, build_id, deployment_id)
            if dep.status == "deployed":
                return dep
            if dep.status in ("failed", "stopped") or time.monotonic() > deadline:
                replicas = self.list_model_replicas(project_id, model_id, build_id, deployment_id)
                tail = "\n".join(
                    f"replica {r.id}: {r.state} ({r.last_error})" for r in replicas if r.last_error
                )
                if dep.status in ("failed", "stopped"):
                    raise DeploymentFailed(
                        f"deployment {deployment_id} is {dep.status}: {dep.failure_reason}\n{tail}",
                        log_tail=tail,
                    )
                raise Timeout(
                    f"deployment {deployment_id} still {dep.status} after {timeout:g} s\n{tail}",
                    log_tail=tail,
                )
            time.sleep(poll)
