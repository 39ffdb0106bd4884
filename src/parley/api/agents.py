"""``/v1/convai/agents``: create, get, list, update, duplicate and delete agents."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Query, Request, Response
from fastapi.responses import JSONResponse

from parley.agents.config import present_workflow
from parley.agents.liveness import ignored_by
from parley.agents.service import LOGGED_PATHS, PATH_CHARS, AgentNotFoundError, agent_document
from parley.api.errors import ApiError
from parley.schemas.agent_config import BodyCreateAgentV1ConvaiAgentsCreatePost as CreateAgentBody
from parley.schemas.agents import (
    AccessInfo,
    AgentListResponse,
    AgentMetadata,
    AgentResponse,
    AgentSummary,
    AgentUpdateRequest,
    CreateAgentResponse,
    DuplicateAgentRequest,
    ErrorResponse,
)
from parley.services import Services, services_of
from parley.storage.agents import AgentQuery, StoredAgent
from parley.storage.pagination import InvalidCursorError

router = APIRouter(
    prefix="/v1/convai/agents",
    tags=["agents"],
    responses={401: {"model": ErrorResponse}, 404: {"model": ErrorResponse}},
)

ServicesDep = Annotated[Services, Depends(services_of)]

# Fields of a create or update body that Parley dropped (unknown to the agent schema, often
# misspelt), as a JSON array of paths (ASCII; at most LOGGED_PATHS of them). A header, so the
# body keeps the platform's exact shape for the SDKs; absent when nothing was dropped.
DROPPED_HEADER = "X-Parley-Dropped-Fields"

# Parley's own endpoints (not the platform's): what the console shows beside an agent.
parley_router = APIRouter(
    prefix="/v1/parley/agents",
    tags=["parley"],
    responses={401: {"model": ErrorResponse}, 404: {"model": ErrorResponse}},
)


def _not_found(error: AgentNotFoundError) -> ApiError:
    return ApiError(404, "agent_not_found", f"Agent {error.agent_id!r} does not exist.")


def _agent_json(agent: StoredAgent) -> JSONResponse:
    """The GET body, built as plain JSON so that no unset field turns into ``null``."""
    document = agent_document(agent)
    if "workflow" in document:
        document["workflow"] = present_workflow(document["workflow"])
    return JSONResponse(
        {
            "agent_id": agent.agent_id,
            **document,
            "metadata": AgentMetadata(
                created_at_unix_secs=agent.created_at_ms // 1000,
                updated_at_unix_secs=agent.updated_at_ms // 1000,
            ).model_dump(),
            "access_info": AccessInfo().model_dump(),
            "phone_numbers": [],
        }
    )


def _dropped_header(dropped: tuple[str, ...]) -> dict[str, str]:
    if not dropped:
        return {}
    paths = [path[:PATH_CHARS] for path in dropped[:LOGGED_PATHS]]
    return {DROPPED_HEADER: json.dumps(paths, ensure_ascii=True)}


async def _raw_body(request: Request) -> dict[str, Any]:
    """The body as sent: the route's model has already dropped the unknown fields."""
    body: dict[str, Any] = await request.json()
    return body


def _summary(agent: StoredAgent) -> AgentSummary:
    return AgentSummary(
        agent_id=agent.agent_id,
        name=agent.name,
        voice_id=agent.conversation_config.get("tts", {}).get("voice_id"),
        tags=agent.tags,
        created_at_unix_secs=agent.created_at_ms // 1000,
        updated_at_unix_secs=agent.updated_at_ms // 1000,
        access_info=AccessInfo(),
        archived=bool(agent.platform_settings.get("archived", False)),
    )


@router.post("/create", response_model=CreateAgentResponse)
async def create_agent(
    services: ServicesDep,
    request: Request,
    response: Response,
    body: CreateAgentBody,  # validates and documents the body; the service reads it as sent
) -> CreateAgentResponse:
    """Create an agent; every field left out gets the platform default.

    Unknown fields are dropped, as the platform does; the X-Parley-Dropped-Fields header
    names them."""
    saved = await services.agents.create(await _raw_body(request))
    response.headers.update(_dropped_header(saved.dropped))
    return CreateAgentResponse(agent_id=saved.agent.agent_id)


@router.get("", response_model=AgentListResponse)
async def list_agents(
    services: ServicesDep,
    page_size: Annotated[int, Query(ge=1, le=100)] = 30,
    search: str | None = None,
    archived: bool | None = None,
    sort_by: Literal["created_at", "name"] = "created_at",
    sort_direction: Literal["asc", "desc"] = "desc",
    cursor: str | None = None,
) -> AgentListResponse:
    """List agents, newest first by default, one page at a time (pass back ``next_cursor``)."""
    query = AgentQuery(page_size, search, archived, sort_by, sort_direction, cursor)
    try:
        page = await services.agents.list(query)
    except InvalidCursorError as error:
        raise ApiError(400, "invalid_cursor", str(error)) from error
    return AgentListResponse(
        agents=[_summary(a) for a in page.agents],
        next_cursor=page.next_cursor,
        has_more=page.has_more,
    )


@router.get("/{agent_id}", response_model=AgentResponse)
async def get_agent(services: ServicesDep, agent_id: str) -> JSONResponse:
    try:
        return _agent_json(await services.agents.get(agent_id))
    except AgentNotFoundError as error:
        raise _not_found(error) from error


@router.patch("/{agent_id}", response_model=AgentResponse)
async def update_agent(
    services: ServicesDep,
    agent_id: str,
    request: Request,
    body: AgentUpdateRequest,  # validates and documents the body; the service reads it as sent
) -> JSONResponse:
    """Change only the fields given; nested objects merge, lists and values replace.

    Unknown fields are dropped, as the platform does; the X-Parley-Dropped-Fields header
    names them."""
    try:
        saved = await services.agents.update(agent_id, await _raw_body(request))
    except AgentNotFoundError as error:
        raise _not_found(error) from error
    response = _agent_json(saved.agent)
    response.headers.update(_dropped_header(saved.dropped))
    return response


@router.post("/{agent_id}/duplicate", response_model=CreateAgentResponse)
async def duplicate_agent(
    services: ServicesDep,
    agent_id: str,
    body: Annotated[DuplicateAgentRequest | None, Body()] = None,
) -> CreateAgentResponse:
    name = body.name if body else None
    try:
        copy = await services.agents.duplicate(agent_id, name)
    except AgentNotFoundError as error:
        raise _not_found(error) from error
    return CreateAgentResponse(agent_id=copy.agent_id)


@router.delete("/{agent_id}", status_code=204, response_class=Response)
async def delete_agent(services: ServicesDep, agent_id: str) -> Response:
    try:
        await services.agents.delete(agent_id)
    except AgentNotFoundError as error:
        raise _not_found(error) from error
    return Response(status_code=204)


@parley_router.get("/{agent_id}/config-report")
async def config_report(services: ServicesDep, agent_id: str) -> dict[str, Any]:
    """The settings this agent configures that Parley stores but does not act on
    (docs/config-liveness.md lists every setting)."""
    try:
        agent = await services.agents.get(agent_id)
    except AgentNotFoundError as error:
        raise _not_found(error) from error
    return {"agent_id": agent_id, "ignored": [item.as_json() for item in ignored_by(agent)]}
