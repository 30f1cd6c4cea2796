"""The console's own CSS and JavaScript, the vendored npm files, and ``/docs`` served from them.

Why ``/docs`` here: FastAPI's default page loads Swagger UI from a CDN, a blank page offline.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

from workspace.console.assets import vendored_file
from workspace.core.npm import WebAssetsMissing

router = APIRouter()
CACHE = {"Cache-Control": "public, max-age=86400"}


@router.get("/static/vendor/{name}", include_in_schema=False)
def vendored(name: str) -> FileResponse:
    try:
        return FileResponse(vendored_file(name), headers=CACHE)
    except KeyError:
        raise HTTPException(404, f"no vendored asset '{name}'") from None
    except WebAssetsMissing as exc:
        raise HTTPException(404, str(exc)) from None


@router.get("/docs", include_in_schema=False)
def api_docs() -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="Workspace API",
        swagger_js_url="/static/vendor/swagger-ui-bundle.js",
        swagger_css_url="/static/vendor/swagger-ui.css",
        swagger_favicon_url="/static/console/favicon.svg",
    )
