"""``POST /model``: the model endpoint, CML-shaped, kept lean because every request pays for it.

Why no database and no FastAPI validation on this path: at a thousand requests a second the
access-key lookup must be a dict hit (``ModelIndex``) and the metric row an append to an
in-memory buffer (flushed in batches by ``Telemetry``); everything else here is JSON parsing and
the router call.
"""

from __future__ import annotations

import hmac
import json
import time
import uuid
from typing import Any

from workspace.core.json_limits import nests_deeper_than
from workspace.server.endpoint.index import ModelIndex, ModelRoute
from workspace.server.services.telemetry import Telemetry
from workspace.serving.router import ModelRouter

MLFLOW_KEYS = ("dataframe_split", "dataframe_records", "instances", "inputs")


Answer = tuple[int, dict[str, Any]]


def _refuse(status: int, message: str) -> Answer:
    return status, {"success": False, "message": message}


class ModelEndpoint:
    """A bare ASGI app for ``POST /model`` and ``POST /model/{model_id}``."""

    def __init__(
        self,
        index: ModelIndex,
        router: ModelRouter,
        telemetry: Telemetry,
        *,
        max_body_bytes: int,
        request_timeout_s: float,
        max_json_depth: int = 64,
    ) -> None:
        self.index = index
        self.router = router
        self.telemetry = telemetry
        self.cap = max_body_bytes
        self.timeout_s = request_timeout_s
        self.max_depth = max_json_depth

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
        if nests_deeper_than(raw, self.max_depth):
            return _refuse(400, f"JSON body nests deeper than {self.max_depth} levels")
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
            route = self.index.by_id.get(model_ref)
            if route is None:
                return _refuse(404, f"model '{model_ref}' not found")
            if route.auth_enabled and not hmac.compare_digest(
                (key or "").encode(), route.access_key.encode()
            ):
                return _refuse(401, "accessKey is missing or wrong for this model")
        else:
            if not key:
                return _refuse(401, "field 'accessKey' is missing")
            route = self.index.route(key)
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
            res = await self.router.forward(route.deployment_id, ipt, timeout_s=self.timeout_s)
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
        self.telemetry.record(
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
