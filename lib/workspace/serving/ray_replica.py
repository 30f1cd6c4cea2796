"""What runs inside a Ray Serve replica: the local replica's ``ReplicaApp``, in a Ray actor.

Why reuse ``ReplicaApp``: entry point loading, warm-up, the ``workspace.model_api``/``cdsw``
runtime module, per-prediction metrics and the error answers must be the same on either backend;
only the transport differs. The constructor loads and warms the model, and Serve marks a replica
RUNNING only once its constructor returned, so "running" means "can answer now", as ``/ready``
does on a local replica.

Serve's HTTP proxy hands this deployment every request under its route prefix; it answers
``POST .../predict`` carrying the deployment's secret in ``REPLICA_SECRET_HEADER`` (403 without
it), so no other process that reaches the proxy calls a model behind the router's back.
"""

from __future__ import annotations

import argparse
import hmac
import json

from ray import serve
from starlette.requests import Request
from starlette.responses import Response

from workspace.replica import REPLICA_SECRET_HEADER
from workspace.replica.server import ReplicaApp


class ModelReplica:
    """One replica of a deployment: ``build`` holds ``build_dir``, ``file_path``,
    ``function_name`` and ``model_uri``, as the local replica's command line does."""

    def __init__(self, build: dict[str, str | None], secret: str) -> None:
        context = serve.get_replica_context()
        # "<deployment>-<Serve's id>", as a local replica's "<deployment>-<index>": CML's
        # ReplicaID names the deployment it belongs to.
        self.replica_id = f"{context.app_name}-{context.replica_id.unique_id}"
        self.app = ReplicaApp(self.replica_id, secret)
        self.secret = secret.encode()
        self.app.load(argparse.Namespace(**build))

    async def __call__(self, request: Request) -> Response:
        if request.method != "POST" or not request.url.path.endswith("/predict"):
            return self._answer(404, {"message": "not found"})
        sent = request.headers.get(REPLICA_SECRET_HEADER, "").encode()
        if not hmac.compare_digest(sent, self.secret):
            return self._answer(403, {"message": f"{REPLICA_SECRET_HEADER} is missing or wrong"})
        status, body = await self.app.predict(await request.body())
        return Response(body, status_code=status, headers=self._headers)

    async def predict(self, raw: bytes) -> tuple[int, bytes]:
        """The same answer for a ``DeploymentHandle`` caller (``handle.predict.remote(raw)``),
        which is inside the cluster and needs no secret: what the bench compares the proxy to."""
        return await self.app.predict(raw)

    @property
    def _headers(self) -> dict[str, str]:
        return {"content-type": "application/json", "x-replica-id": self.replica_id}

    def _answer(self, status: int, body: dict[str, str]) -> Response:
        return Response(json.dumps(body), status_code=status, headers=self._headers)


ModelReplicaDeployment = serve.deployment(ModelReplica, name="model")
