"""``/v1/parley/api-keys``: the console's API keys section (what ``parley keys`` does).

Parley's own endpoints: the platform manages keys in its web app. A new key is returned once,
in plain text; afterwards only its id, name and first characters are shown.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, StringConstraints

from parley.api.errors import ApiError
from parley.services import Services, services_of
from parley.storage.api_keys import ApiKeyInfo

router = APIRouter(prefix="/v1/parley/api-keys", tags=["parley"])
ServicesDep = Annotated[Services, Depends(services_of)]


class ApiKeyResponse(BaseModel):
    key_id: str
    name: str
    key_prefix: str
    created_at_unix_secs: int
    revoked_at_unix_secs: int | None


class ApiKeysResponse(BaseModel):
    api_keys: list[ApiKeyResponse]


class CreateApiKeyRequest(BaseModel):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class CreatedApiKeyResponse(ApiKeyResponse):
    api_key: str  # shown this once


def _response(info: ApiKeyInfo) -> ApiKeyResponse:
    return ApiKeyResponse(
        key_id=info.key_id,
        name=info.name,
        key_prefix=info.key_prefix,
        created_at_unix_secs=info.created_at_ms // 1000,
        revoked_at_unix_secs=None if info.revoked_at_ms is None else info.revoked_at_ms // 1000,
    )


@router.get("", response_model=ApiKeysResponse)
async def list_keys(services: ServicesDep) -> ApiKeysResponse:
    """Every key, revoked ones included, oldest first."""
    return ApiKeysResponse(api_keys=[_response(info) for info in await services.api_keys.list()])


@router.post("", response_model=CreatedApiKeyResponse)
async def create_key(services: ServicesDep, body: CreateApiKeyRequest) -> CreatedApiKeyResponse:
    """A new key; its plain text is in this answer only."""
    info, plain = await services.api_keys.create(body.name)
    return CreatedApiKeyResponse(**_response(info).model_dump(), api_key=plain)


@router.delete("/{key_id}", status_code=204, response_class=Response)
async def revoke_key(services: ServicesDep, key_id: str) -> Response:
    """Requests with the key get 401 from now on; the last active key cannot be revoked."""
    keys = {info.key_id: info for info in await services.api_keys.list()}
    info = keys.get(key_id)
    if info is None or info.revoked_at_ms is not None:
        raise ApiError(404, "api_key_not_found", f"No active API key {key_id!r}.")
    if await services.api_keys.count_active() <= 1:
        raise ApiError(
            409,
            "last_api_key",
            "This is the only active key: create another one first, or nobody could sign in.",
        )
    await services.api_keys.revoke(key_id)
    return Response(status_code=204)
