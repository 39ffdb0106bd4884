"""The web console and the embeddable widget: plain files shipped inside the package.

The files need no key: the pages hold no data, they call the REST API with the key the
user types in (kept in the browser's localStorage). The settings page's own endpoints
(server info, API keys) take that key like every other REST call.
"""

from __future__ import annotations

from os import PathLike, stat_result
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response
from starlette.types import Scope

from parley.api import keys, server_info
from parley.api.auth import require_api_key

CONSOLE_DIR = Path(__file__).resolve().parent.parent / "console"

# The pages render every server value as text, never as HTML; the policy makes sure no
# script from anywhere else can run on the page that holds the API key.
_PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "media-src 'self' blob:; connect-src 'self' ws: wss:; worker-src 'self' blob:; "
        "frame-ancestors 'none'"
    ),
    "Cache-Control": "no-cache",
}


class _PublicFiles(StaticFiles):
    """Files any origin may load: the widget on another site imports the session module and
    its audio worklets from here, and both are fetched in CORS mode."""

    def file_response(
        self,
        full_path: str | PathLike[str],
        stat: stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat, scope, status_code)
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response


def install_console(app: FastAPI) -> None:
    """Serve the console at ``/`` (its modules under ``/console``), ``/widget.js`` and the
    Parley-only endpoints of its settings page (``/v1/parley/...``, with the key)."""
    for router in (server_info.router, keys.router):
        app.include_router(router, dependencies=[Depends(require_api_key)])
    app.mount("/console", _PublicFiles(directory=CONSOLE_DIR), name="console")

    @app.get("/", include_in_schema=False)
    async def console_page() -> FileResponse:
        return FileResponse(CONSOLE_DIR / "index.html", headers=_PAGE_HEADERS)

    @app.get("/widget.js", include_in_schema=False)
    async def widget_script() -> FileResponse:
        """The ``<parley-convai>`` element; other sites load it, so any origin may."""
        return FileResponse(
            CONSOLE_DIR / "widget.js",
            media_type="text/javascript",
            headers={"Access-Control-Allow-Origin": "*", "Cache-Control": "no-cache"},
        )
