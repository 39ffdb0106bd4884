"""``GET /v1/convai/agents/{agent_id}/widget``: the public, key-less widget settings that a
page embedding ``<parley-convai>`` fetches from any origin."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from parley.agents.widget import widget_config
from parley.api.errors import ApiError
from parley.services import Services, services_of

router = APIRouter(prefix="/v1/convai/agents", tags=["agents"])
ServicesDep = Annotated[Services, Depends(services_of)]


class WidgetResponse(BaseModel):
    agent_id: str
    widget_config: dict[str, Any]


@router.get("/{agent_id}/widget", response_model=WidgetResponse)
async def get_widget(services: ServicesDep, agent_id: str) -> JSONResponse:
    """Readable by any site (no key, CORS open): it holds only what the widget shows."""
    agent = await services.agent_store.get(agent_id)
    if agent is None:
        raise ApiError(404, "agent_not_found", f"Agent {agent_id!r} does not exist.")
    body = WidgetResponse(agent_id=agent.agent_id, widget_config=widget_config(agent))
    return JSONResponse(body.model_dump(), headers={"Access-Control-Allow-Origin": "*"})
