"""The one place errors become HTTP answers: a service's refusal, a route's HTTPException, a body
FastAPI could not validate. Every one answers CML's error body with the HTTP status:
``{"error": <message>, "code": <gRPC code>, "message": <message>, "details": []}``, as the
grpc-gateway in front of CML's API writes it, so spec clients and ours read the same reason.

Why here: services raise ``ServiceError``s without knowing HTTP (the scheduler and start-up use
them too); the mapping to status codes is the HTTP layer's alone.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from workspace.server.services.errors import (
    Conflict,
    Forbidden,
    InvalidRequest,
    NotFound,
    ServiceError,
)

GRPC_CODE_OF_STATUS = {
    400: 3,  # INVALID_ARGUMENT
    401: 16,  # UNAUTHENTICATED
    403: 7,  # PERMISSION_DENIED
    404: 5,  # NOT_FOUND
    409: 10,  # ABORTED: the resource is not in a state that allows it
    413: 3,
    422: 3,
    429: 8,  # RESOURCE_EXHAUSTED
    501: 12,  # UNIMPLEMENTED
    503: 14,  # UNAVAILABLE
    504: 4,  # DEADLINE_EXCEEDED
}


def error_body(status: int, message: str) -> JSONResponse:
    """CML's error body for ``message`` with HTTP ``status``."""
    code = GRPC_CODE_OF_STATUS.get(status, 13 if status >= 500 else 2)  # INTERNAL, UNKNOWN
    body = {"error": message, "code": code, "message": message, "details": []}
    return JSONResponse(body, status_code=status)


STATUS_OF: dict[type[ServiceError], int] = {
    InvalidRequest: 400,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
}


def _service_error(_request: Request, exc: ServiceError) -> JSONResponse:
    status = next((code for kind, code in STATUS_OF.items() if isinstance(exc, kind)), 400)
    return error_body(status, str(exc))


def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
    return error_body(exc.status_code, str(exc.detail))


def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        detail = errors[0].get("ctx", {}).get("error", "")
        return error_body(400, f"malformed JSON body: {detail}")
    parts = []
    for e in errors[:5]:
        loc = ".".join(str(p) for p in e.get("loc", ()) if p not in ("body",)) or "body"
        parts.append(f"{loc}: {e.get('msg')}")
    return error_body(422, "; ".join(parts))


def install(app: FastAPI) -> None:
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
