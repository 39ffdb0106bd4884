"""``/v1/convai/secrets``: values agents refer to by id (e.g. ``custom_llm.api_key``)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field

from parley.api.errors import ApiError
from parley.services import Services, services_of

router = APIRouter(prefix="/v1/convai/secrets", tags=["secrets"])
ServicesDep = Annotated[Services, Depends(services_of)]


class CreateSecretRequest(BaseModel):
    type: Literal["new"] = "new"
    name: str = Field(min_length=1, max_length=200)
    value: str = Field(min_length=1)


class SecretResponse(BaseModel):
    type: Literal["stored"] = "stored"
    secret_id: str
    name: str


class SecretListResponse(BaseModel):
    secrets: list[SecretResponse]


@router.post("", response_model=SecretResponse)
async def create_secret(services: ServicesDep, body: CreateSecretRequest) -> SecretResponse:
    """Store a secret; its value is never returned again."""
    info = await services.secrets.create(body.name, body.value)
    return SecretResponse(secret_id=info.secret_id, name=info.name)


@router.get("", response_model=SecretListResponse)
async def list_secrets(services: ServicesDep) -> SecretListResponse:
    return SecretListResponse(
        secrets=[
            SecretResponse(secret_id=s.secret_id, name=s.name)
            for s in await services.secrets.list()
        ]
    )


@router.delete("/{secret_id}", status_code=204, response_class=Response)
async def delete_secret(services: ServicesDep, secret_id: str) -> Response:
    if not await services.secrets.delete(secret_id):
        raise ApiError(404, "secret_not_found", f"Secret {secret_id!r} does not exist.")
    return Response(status_code=204)
