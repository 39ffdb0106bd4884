"""One JSON error shape for every failure, so clients never have to parse HTML or text.

- field validation → 422 ``{"detail": [{"loc", "msg", "type", ...}]}`` (FastAPI's shape, which
  the platform also uses), with the path of each bad field;
- malformed JSON → 400 ``{"detail": {"status": "invalid_json", "message"}}``, a body that is
  not JSON at all → 415;
- everything else → ``{"detail": {"status", "message"}}`` with the right status code.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error a route raises on purpose, with the status and a message for the caller."""

    def __init__(self, status_code: int, status: str, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.status = status
        self.message = message


def error_body(status: str, message: str) -> dict[str, Any]:
    return {"detail": {"status": status, "message": message}}


def error_response(status_code: int, status: str, message: str) -> JSONResponse:
    return JSONResponse(error_body(status, message), status_code=status_code)


def validation_response(errors: Sequence[Any], loc_prefix: tuple[str, ...] = ()) -> JSONResponse:
    """422 listing every invalid field with its full path."""
    detail = []
    for error in errors:
        item = {key: value for key, value in dict(error).items() if key != "url"}
        item["loc"] = [*loc_prefix, *item.get("loc", ())]
        if isinstance(item.get("input"), dict | list):
            del item["input"]  # echoing whole sub-documents back buries the message
        detail.append(item)
    return JSONResponse({"detail": jsonable_encoder(detail)}, status_code=422)


async def _request_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    content_type = request.headers.get("content-type", "")
    sent_body = request.method in ("POST", "PATCH", "PUT")
    if sent_body and content_type and "json" not in content_type:
        return error_response(
            415,
            "unsupported_media_type",
            f"Send the body as JSON with content-type: application/json (got {content_type}).",
        )
    for error in errors:
        if error.get("type") == "json_invalid":
            position = error.get("ctx", {}).get("error", "")
            return error_response(
                400, "invalid_json", f"The request body is not valid JSON ({position})."
            )
    return validation_response(errors)


async def _pydantic_validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ValidationError)
    return validation_response(exc.errors(), ("body",))


async def _api_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status_code, exc.status, exc.message)


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    return JSONResponse(
        error_body(status, str(exc.detail)), status_code=exc.status_code, headers=exc.headers
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal_error", "Parley hit an internal error; see the logs.")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(ValidationError, _pydantic_validation)
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
