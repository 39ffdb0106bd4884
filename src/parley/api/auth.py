"""The ``xi-api-key`` header check that guards every REST route."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader

from parley.api.errors import ApiError
from parley.storage.api_keys import ApiKeyStore

_header = APIKeyHeader(name="xi-api-key", auto_error=False, description="A Parley API key.")


async def require_api_key(request: Request, key: Annotated[str | None, Depends(_header)]) -> None:
    if not key:
        raise ApiError(401, "missing_api_key", "Send your Parley API key in the xi-api-key header.")
    keys: ApiKeyStore = request.app.state.services.api_keys
    if not await keys.is_valid(key):
        raise ApiError(
            401,
            "invalid_api_key",
            "The xi-api-key header holds no valid key; create one with `parley keys create`.",
        )
