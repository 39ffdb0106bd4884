"""The conversation WebSocket's wire format: every client and server event, typed once.

Field names and nesting follow the spec and the platform's AsyncAPI contract exactly.
Client events are parsed with :data:`CLIENT_EVENT_ADAPTER` (a union discriminated on
``type``); audio chunks carry no ``type`` and are recognised at the edge by their key.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

JsonValue = Any


class ClientEventModel(BaseModel):
    """Client events ignore fields they do not know, as the platform does."""

    model_config = ConfigDict(extra="ignore")


# ---------------------------------------------------------------- client → server


class UserAudioChunk(ClientEventModel):
    user_audio_chunk: str


class SourceInfo(ClientEventModel):
    source: str | None = None
    version: str | None = None


DynamicVariableValue = str | int | float | bool | None


class ConversationInitiationClientData(ClientEventModel):
    type: Literal["conversation_initiation_client_data"]
    conversation_config_override: dict[str, Any] | None = None
    custom_llm_extra_body: dict[str, Any] | None = None
    dynamic_variables: dict[str, DynamicVariableValue] | None = None
    user_id: str | None = None
    source_info: SourceInfo | None = None


class Pong(ClientEventModel):
    type: Literal["pong"]
    event_id: int


class ClientToolResult(ClientEventModel):
    type: Literal["client_tool_result"]
    tool_call_id: str
    result: JsonValue = None
    is_error: bool = False


class ContextualUpdate(ClientEventModel):
    type: Literal["contextual_update"]
    text: str
    context_id: str | None = None


class UserMessage(ClientEventModel):
    type: Literal["user_message"]
    text: str | None = None


class UserActivity(ClientEventModel):
    type: Literal["user_activity"]


class Feedback(ClientEventModel):
    type: Literal["feedback"]
    event_id: int
    score: Literal["like", "dislike"] | None = None


class MultimodalMessage(ClientEventModel):
    """Text plus uploaded files; Parley reads the text part (files are not supported yet)."""

    type: Literal["multimodal_message"]
    text: UserMessage | None = None


class McpToolApprovalResult(ClientEventModel):
    type: Literal["mcp_tool_approval_result"]
    tool_call_id: str
    is_approved: bool


ClientEvent = Annotated[
    ConversationInitiationClientData
    | Pong
    | ClientToolResult
    | ContextualUpdate
    | UserMessage
    | UserActivity
    | Feedback
    | MultimodalMessage
    | McpToolApprovalResult,
    Field(discriminator="type"),
]

CLIENT_EVENT_ADAPTER: TypeAdapter[ClientEvent] = TypeAdapter(ClientEvent)
CLIENT_EVENT_TYPES = frozenset(
    {
        "conversation_initiation_client_data",
        "pong",
        "client_tool_result",
        "contextual_update",
        "user_message",
        "user_activity",
        "feedback",
        "multimodal_message",
        "mcp_tool_approval_result",
    }
)


# ---------------------------------------------------------------- server → client


class ConversationInitiationMetadataBody(BaseModel):
    conversation_id: str
    agent_output_audio_format: str
    user_input_audio_format: str


class ConversationInitiationMetadata(BaseModel):
    type: Literal["conversation_initiation_metadata"] = "conversation_initiation_metadata"
    conversation_initiation_metadata_event: ConversationInitiationMetadataBody


class UserTranscriptBody(BaseModel):
    user_transcript: str
    event_id: int


class UserTranscript(BaseModel):
    type: Literal["user_transcript"] = "user_transcript"
    user_transcription_event: UserTranscriptBody


class TentativeUserTranscript(BaseModel):
    type: Literal["tentative_user_transcript"] = "tentative_user_transcript"
    tentative_user_transcription_event: UserTranscriptBody


class AgentResponseBody(BaseModel):
    agent_response: str
    event_id: int


class AgentResponse(BaseModel):
    type: Literal["agent_response"] = "agent_response"
    agent_response_event: AgentResponseBody


class AgentResponseCorrectionBody(BaseModel):
    original_agent_response: str
    corrected_agent_response: str
    event_id: int


class AgentResponseCorrection(BaseModel):
    type: Literal["agent_response_correction"] = "agent_response_correction"
    agent_response_correction_event: AgentResponseCorrectionBody


class TextResponsePart(BaseModel):
    text: str
    type: Literal["start", "delta", "stop"]
    event_id: int


class AgentChatResponsePart(BaseModel):
    type: Literal["agent_chat_response_part"] = "agent_chat_response_part"
    text_response_part: TextResponsePart


class AudioBody(BaseModel):
    audio_base_64: str
    event_id: int


class Audio(BaseModel):
    type: Literal["audio"] = "audio"
    audio_event: AudioBody


class InterruptionBody(BaseModel):
    event_id: int


class Interruption(BaseModel):
    type: Literal["interruption"] = "interruption"
    interruption_event: InterruptionBody


class PingBody(BaseModel):
    event_id: int
    ping_ms: int | None  # always present: the Python SDK indexes it


class Ping(BaseModel):
    type: Literal["ping"] = "ping"
    ping_event: PingBody


class ClientToolCallBody(BaseModel):
    tool_name: str
    tool_call_id: str
    parameters: dict[str, JsonValue]
    event_id: int


class ClientToolCall(BaseModel):
    type: Literal["client_tool_call"] = "client_tool_call"
    client_tool_call: ClientToolCallBody


class AgentToolResponseBody(BaseModel):
    tool_name: str
    tool_call_id: str
    tool_type: str
    is_error: bool
    is_called: bool
    event_id: int


class AgentToolResponse(BaseModel):
    type: Literal["agent_tool_response"] = "agent_tool_response"
    agent_tool_response: AgentToolResponseBody


class VadScoreBody(BaseModel):
    vad_score: float


class VadScore(BaseModel):
    type: Literal["vad_score"] = "vad_score"
    vad_score_event: VadScoreBody


class TentativeAgentResponseBody(BaseModel):
    tentative_agent_response: str


class InternalTentativeAgentResponse(BaseModel):
    type: Literal["internal_tentative_agent_response"] = "internal_tentative_agent_response"
    tentative_agent_response_internal_event: TentativeAgentResponseBody


CloseCode = Literal[1000, 1002, 1008, 1011]


class ErrorBody(BaseModel):
    code: CloseCode
    message: str
    error_type: str | None = None
    reason: str | None = None


class ErrorEvent(BaseModel):
    type: Literal["error"] = "error"
    error_event: ErrorBody


ServerEvent = (
    ConversationInitiationMetadata
    | UserTranscript
    | TentativeUserTranscript
    | AgentResponse
    | AgentResponseCorrection
    | AgentChatResponsePart
    | Audio
    | Interruption
    | Ping
    | ClientToolCall
    | AgentToolResponse
    | VadScore
    | InternalTentativeAgentResponse
    | ErrorEvent
)

# Sent whatever ``conversation.client_events`` says: the SDKs cannot work without them.
ALWAYS_SENT = frozenset({"conversation_initiation_metadata", "ping", "error"})


def to_wire(event: ServerEvent) -> str:
    """The exact JSON text of a server event."""
    return event.model_dump_json()
