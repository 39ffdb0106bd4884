"""The interactive API reference at ``/docs``, with Swagger UI served by Parley itself.

FastAPI's own ``/docs`` page loads Swagger UI from a CDN, so on a machine without internet it
is blank. The same files come from the ``fastapi-swagger`` package (Swagger UI's release
build, MIT) and are served under ``/docs/assets``; FastAPI's ReDoc page, which has no such
package, is not offered.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/docs/assets"


def install_docs(app: FastAPI) -> None:
    """Serve ``/docs`` (for an app built with ``docs_url=None, redoc_url=None``)."""
    app.mount(ASSETS, StaticFiles(packages=[("fastapi_swagger", "resources")]), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")  # behind a path-prefix proxy
        return get_swagger_ui_html(
            openapi_url=root + (app.openapi_url or "/openapi.json"),
            title=f"{app.title} API",
            swagger_js_url=f"{root}{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS}/favicon-32x32.png",
            # no badge from validator.swagger.io: the page loads nothing from elsewhere
            swagger_ui_parameters={"validatorUrl": None},
        )
