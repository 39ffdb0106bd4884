"""REST request and response bodies of the agents endpoints (beyond the generated config)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from parley.schemas.agent_config import (
    AgentPlatformSettingsRequestModel,
    AgentWorkflowRequestModel,
    ConversationalConfigAPIModelInput,
)


class ErrorDetail(BaseModel):
    """The body of every non-validation error: ``{"detail": {"status", "message"}}``."""

    status: str = Field(description="A stable machine-readable code, e.g. agent_not_found.")
    message: str = Field(description="What went wrong and what to do about it.")


class ErrorResponse(BaseModel):
    detail: ErrorDetail


class CreateAgentResponse(BaseModel):
    agent_id: str


class AgentMetadata(BaseModel):
    created_at_unix_secs: int
    updated_at_unix_secs: int


class AccessInfo(BaseModel):
    """Parley has no user accounts: every API key holder administers every agent."""

    is_creator: bool = True
    creator_name: str = "Parley"
    creator_email: str = ""
    role: Literal["admin", "editor", "commenter", "viewer"] = "admin"


class AgentResponse(BaseModel):
    agent_id: str
    name: str
    conversation_config: ConversationalConfigAPIModelInput
    platform_settings: AgentPlatformSettingsRequestModel
    workflow: AgentWorkflowRequestModel | None = None
    metadata: AgentMetadata
    tags: list[str]
    access_info: AccessInfo
    phone_numbers: list[Any] = Field(default_factory=list)


class AgentSummary(BaseModel):
    agent_id: str
    name: str
    voice_id: str | None
    tags: list[str]
    created_at_unix_secs: int
    updated_at_unix_secs: int
    access_info: AccessInfo
    archived: bool


class AgentListResponse(BaseModel):
    agents: list[AgentSummary]
    next_cursor: str | None
    has_more: bool


class AgentUpdateRequest(BaseModel):
    """A partial agent document: only the fields given change; objects merge key by key."""

    conversation_config: dict[str, Any] | None = None
    platform_settings: dict[str, Any] | None = None
    workflow: dict[str, Any] | None = None
    name: str | None = None
    tags: list[str] | None = None


class DuplicateAgentRequest(BaseModel):
    name: str | None = Field(
        default=None, description="Name of the copy; default: '<name> (copy)'."
    )
