"""``POST /model``: the model endpoint, CML-shaped, kept lean because every request pays for it.

Why no database and no FastAPI validation on this path: at a thousand requests a second the
access-key lookup must be a dict hit and the metric row an append to an in-memory buffer
(flushed in batches by ``Telemetry``); everything else here is JSON parsing and the router call.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from workspace.server import db
from workspace.server.state import Workspace

MLFLOW_KEYS = ("dataframe_split", "dataframe_records", "instances", "inputs")


@dataclass(frozen=True)
class ModelRoute:
    """What the endpoint needs to serve one model, cached in memory by access key."""

    model_id: str
    name: str
    access_key: str
    auth_enabled: bool
    model_crn: str
    deployment_id: str | None = None
    deployment_crn: str = ""
    build_crn: str = ""
    registry_build: bool = False


class ModelIndex:
    """Access key → model route; rebuilt for a model whenever its deployments change state."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.by_key: dict[str, ModelRoute] = {}
        self.by_id: dict[str, ModelRoute] = {}

    def load_all(self) -> None:
        with self.ws.session() as session:
            ids = session.scalars(select(db.Model.id)).all()
        for model_id in ids:
            self.refresh_model(model_id)

    def refresh_model(self, model_id: str) -> None:
        with self.ws.session() as session:
            model = session.get(db.Model, model_id)
            if model is None:
                old = self.by_id.pop(model_id, None)
                if old:
                    self.by_key.pop(old.access_key, None)
                return
            # The newest healthy deployment serves: a redeploy cuts over once it is deployed.
            dep = session.scalar(
                select(db.Deployment)
                .where(db.Deployment.model_id == model_id, db.Deployment.status == "deployed")
                .order_by(db.Deployment.deployed_at.desc(), db.Deployment.created_at.desc())
            )
            build = session.get(db.Build, dep.build_id) if dep else None
            route = ModelRoute(
                model_id=model.id,
                name=model.name,
                access_key=model.access_key,
                auth_enabled=model.auth_enabled,
                model_crn=model.crn,
                deployment_id=dep.id if dep else None,
                deployment_crn=dep.crn if dep else "",
                build_crn=build.crn if build else "",
                registry_build=bool(build and build.model_uri),
            )
        self.by_key[route.access_key] = route
        self.by_id[route.model_id] = route

    def forget(self, access_key: str) -> None:
        route = self.by_key.pop(access_key, None)
        if route:
            self.by_id.pop(route.model_id, None)


Answer = tuple[int, dict[str, Any]]


def _refuse(status: int, message: str) -> Answer:
    return status, {"success": False, "message": message}


class ModelEndpoint:
    """A bare ASGI app for ``POST /model`` and ``POST /model/{model_id}``."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.cap = ws.settings.max_body_bytes
        self.timeout_s = ws.settings.request_timeout_s

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["method"] != "POST":
            status, body = _refuse(405, "use POST")
        else:
            raw = await self._body(scope, receive)
            path = scope["path"]
            model_ref = path[len("/model/") :].strip("/") if path.startswith("/model/") else None
            status, body = await self.handle(raw, model_ref)
        data = json.dumps(body).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(data)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": data})

    async def _body(self, scope: dict, receive: Any) -> bytes | None:
        """The request body, or None once it is known to exceed the cap."""
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > self.cap:
                return None
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return b""
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.cap:
                return None
            chunks.append(chunk)
            more = message.get("more_body", False)
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    async def handle(self, raw: bytes | None, model_ref: str | None) -> Answer:
        """Check the body and the access key, then forward; every refusal names its reason."""
        if raw is None:
            return _refuse(413, f"request body exceeds the {self.cap // (1024 * 1024)} MB limit")
        try:
            payload = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            return _refuse(400, f"malformed JSON body: {exc}")
        if not isinstance(payload, dict):
            return _refuse(400, 'body must be a JSON object: {"accessKey": ..., "request": {...}}')
        key = payload.get("accessKey")
        if key is not None and not isinstance(key, str):
            return _refuse(400, "field 'accessKey' must be a string")
        if model_ref:
            route = self.ws.index.by_id.get(model_ref)
            if route is None:
                return _refuse(404, f"model '{model_ref}' not found")
            if route.auth_enabled and key != route.access_key:
                return _refuse(401, "accessKey is missing or wrong for this model")
        else:
            if not key:
                return _refuse(401, "field 'accessKey' is missing")
            route = self.ws.index.by_key.get(key)
            if route is None:
                return _refuse(401, "accessKey does not belong to any model")
        if "request" in payload:
            ipt = payload["request"]
        elif any(k in payload for k in MLFLOW_KEYS):
            if not route.registry_build:
                return _refuse(400, "MLflow-format bodies need a registry build; send 'request'")
            ipt = {k: v for k, v in payload.items() if k != "accessKey"}
        else:
            return _refuse(400, "field 'request' is missing")
        if route.deployment_id is None:
            return _refuse(503, f"model '{route.name}' has no deployed build")
        return await self._forward(route, ipt)

    async def _forward(self, route: ModelRoute, ipt: Any) -> Answer:
        start = time.time()
        try:
            res = await self.ws.router.forward(route.deployment_id, ipt, timeout_s=self.timeout_s)
            status, body, replica = res.status_code, res.body, res.replica_id
            start_ms, end_ms = res.start_ms, res.end_ms
        except TimeoutError:
            status, replica, start_ms, end_ms = (
                504,
                None,
                int(start * 1000),
                int(time.time() * 1000),
            )
            body = {"message": f"model did not answer within {self.timeout_s:g} s"}
        ok = status == 200
        prediction_uuid = (body.get("uuid") if ok else None) or str(uuid.uuid4())
        self.ws.telemetry.record(
            {
                "prediction_uuid": prediction_uuid,
                "model_crn": route.model_crn,
                "build_crn": route.build_crn,
                "deployment_crn": route.deployment_crn,
                "start_ms": start_ms,
                "end_ms": end_ms,
                "latency_ms": float(end_ms - start_ms),
                "replica_id": replica,
                "status_code": status,
                "metrics": (body.get("metrics") or {}) if ok else {},
            },
            route.name,
            time.time() - start,
        )
        if ok:
            # PredictionUUID lets callers report delayed metrics for any build, wrapped or not.
            answer = {"success": True, "response": body.get("response"), "ReplicaID": replica}
            return 200, answer | {"PredictionUUID": prediction_uuid}
        message = body.get("message") if isinstance(body, dict) else None
        return status, {
            "success": False,
            "message": message or "model failed",
            "ReplicaID": replica,
        }
