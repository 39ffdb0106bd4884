"""``/v1/convai/conversations``: reading back and deleting stored conversations."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel

from parley.api.errors import ApiError
from parley.conversations.recordings import recording_as_mp3
from parley.services import Services, services_of
from parley.storage.conversations import ConversationFilter, StoredConversation
from parley.storage.pagination import InvalidCursorError

router = APIRouter(prefix="/v1/convai/conversations", tags=["conversations"])
ServicesDep = Annotated[Services, Depends(services_of)]
Status = Literal["initiated", "in-progress", "processing", "done", "failed"]


class ConversationSummary(BaseModel):
    agent_id: str
    agent_name: str | None
    conversation_id: str
    start_time_unix_secs: int
    call_duration_secs: int
    message_count: int
    status: Status
    call_successful: Literal["success", "failure", "unknown"]


class ConversationPageResponse(BaseModel):
    conversations: list[ConversationSummary]
    next_cursor: str | None
    has_more: bool


class ConversationMetadata(BaseModel):
    start_time_unix_secs: int
    call_duration_secs: int
    termination_reason: str | None


class ConversationResponse(BaseModel):
    agent_id: str
    conversation_id: str
    status: Status
    user_id: str | None
    transcript: list[dict[str, Any]]
    metadata: ConversationMetadata
    has_audio: bool = False
    has_user_audio: bool = False
    has_response_audio: bool = False
    has_auxiliary_audio: bool = False
    analysis: None = None
    conversation_initiation_client_data: dict[str, Any]


def _call_successful(conversation: StoredConversation) -> Literal["success", "failure", "unknown"]:
    if conversation.status == "failed":
        return "failure"
    return "success" if conversation.status == "done" else "unknown"


async def _get(services: Services, conversation_id: str) -> StoredConversation:
    conversation = await services.conversation_store.get(conversation_id)
    if conversation is None:
        raise ApiError(
            404, "conversation_not_found", f"Conversation {conversation_id!r} does not exist."
        )
    return conversation


@router.get("", response_model=ConversationPageResponse)
async def list_conversations(
    services: ServicesDep,
    agent_id: str | None = None,
    page_size: Annotated[int, Query(ge=1, le=100)] = 30,
    cursor: str | None = None,
    call_start_after_unix: int | None = None,
    call_start_before_unix: int | None = None,
    exclude_statuses: Annotated[list[Status] | None, Query()] = None,
) -> ConversationPageResponse:
    """Conversations, newest first; filter by ``agent_id``, a start time range (from
    ``call_start_after_unix`` inclusive to ``call_start_before_unix`` exclusive) and
    ``exclude_statuses`` (repeated), as the platform does."""
    filters = ConversationFilter(
        started_after=call_start_after_unix,
        started_before=call_start_before_unix,
        exclude_statuses=frozenset(exclude_statuses or ()),
    )
    try:
        page = await services.conversation_store.list(agent_id, page_size, cursor, filters)
    except InvalidCursorError as error:
        raise ApiError(400, "invalid_cursor", str(error)) from error
    names: dict[str, str | None] = {}
    for conversation in page.conversations:
        if conversation.agent_id not in names:
            agent = await services.agent_store.get(conversation.agent_id)
            names[conversation.agent_id] = agent.name if agent else None
    return ConversationPageResponse(
        conversations=[
            ConversationSummary(
                agent_id=c.agent_id,
                agent_name=names[c.agent_id],
                conversation_id=c.conversation_id,
                start_time_unix_secs=c.start_time_unix_secs,
                call_duration_secs=c.call_duration_secs,
                message_count=len(c.transcript),
                status=c.status,
                call_successful=_call_successful(c),
            )
            for c in page.conversations
        ],
        next_cursor=page.next_cursor,
        has_more=page.has_more,
    )


@router.get("/{conversation_id}", response_model=ConversationResponse)
async def get_conversation(services: ServicesDep, conversation_id: str) -> ConversationResponse:
    """One conversation with its whole transcript."""
    conversation = await _get(services, conversation_id)
    user_audio, response_audio = await services.conversation_store.audio_flags(conversation_id) or (
        False,
        False,
    )
    return ConversationResponse(
        agent_id=conversation.agent_id,
        conversation_id=conversation.conversation_id,
        status=conversation.status,
        user_id=conversation.user_id,
        transcript=conversation.transcript,
        metadata=ConversationMetadata(
            start_time_unix_secs=conversation.start_time_unix_secs,
            call_duration_secs=conversation.call_duration_secs,
            termination_reason=conversation.termination_reason,
        ),
        has_audio=user_audio or response_audio,
        has_user_audio=user_audio,
        has_response_audio=response_audio,
        conversation_initiation_client_data={"dynamic_variables": conversation.dynamic_variables},
    )


@router.get(
    "/{conversation_id}/audio",
    response_class=Response,
    responses={200: {"content": {"audio/mpeg": {}}, "description": "The recording as MP3."}},
)
async def get_conversation_audio(services: ServicesDep, conversation_id: str) -> Response:
    """The conversation's recording (user and agent mixed), as the platform serves it: MP3."""
    await _get(services, conversation_id)
    audio = await recording_as_mp3(services.conversation_store, conversation_id)
    if audio is None:
        raise ApiError(
            404,
            "conversation_audio_not_found",
            f"Conversation {conversation_id!r} has no audio: it was text-only, is still in "
            "progress, or its agent has platform_settings.privacy.record_voice off.",
        )
    return Response(audio, media_type="audio/mpeg")


@router.delete("/{conversation_id}", status_code=204, response_class=Response)
async def delete_conversation(services: ServicesDep, conversation_id: str) -> Response:
    if not await services.conversation_store.delete(conversation_id):
        raise ApiError(
            404, "conversation_not_found", f"Conversation {conversation_id!r} does not exist."
        )
    return Response(status_code=204)
