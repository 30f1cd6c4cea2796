"""The one place errors become HTTP answers: a service's refusal, a route's HTTPException, a body
FastAPI could not validate. Every one answers ``{"message": ...}`` with a 4xx naming its reason.

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

STATUS_OF: dict[type[ServiceError], int] = {
    InvalidRequest: 400,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
}


def _service_error(_request: Request, exc: ServiceError) -> JSONResponse:
    status = next((code for kind, code in STATUS_OF.items() if isinstance(exc, kind)), 400)
    return JSONResponse({"message": str(exc)}, status_code=status)


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


def install(app: FastAPI) -> None:
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
