"""The conversation record: transcript entries in the platform's shape, and where they go."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

Status = Literal["initiated", "in-progress", "processing", "done", "failed"]


@dataclass
class ToolCallRecord:
    request_id: str
    tool_name: str
    params: dict[str, Any]
    type: str

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "request_id": self.request_id,
            "tool_name": self.tool_name,
            "params_as_json": json.dumps(self.params),
            "tool_has_been_called": True,
        }


@dataclass
class ToolResultRecord:
    request_id: str
    tool_name: str
    result: Any
    is_error: bool
    type: str

    def to_json(self) -> dict[str, Any]:
        value = self.result if isinstance(self.result, str) else json.dumps(self.result)
        return {
            "type": self.type,
            "request_id": self.request_id,
            "tool_name": self.tool_name,
            "result_value": value,
            "is_error": self.is_error,
            "tool_has_been_called": True,
        }


@dataclass
class TurnTimings:
    """When each stage of a reply happened (clock seconds); stored with the agent's entry."""

    user_speech_ended: float | None = None  # voice: the end of the user's speech
    transcript_final: float | None = None  # the user's words were known (typed: received)
    llm_first_token: float | None = None
    first_audio_sent: float | None = None

    def to_json(self) -> dict[str, Any]:
        """The platform's shape: ``{"metrics": {name: {"elapsed_time": seconds}}}``, each
        measured from the end of the user's speech (or from the typed message)."""
        start = (
            self.user_speech_ended if self.user_speech_ended is not None else self.transcript_final
        )
        stages = {
            "transcript_final": self.transcript_final,
            "llm_first_token": self.llm_first_token,
            "first_audio_sent": self.first_audio_sent,
        }
        metrics = {
            name: {"elapsed_time": round(at - start, 4)}
            for name, at in stages.items()
            if at is not None and start is not None
        }
        return {"metrics": metrics}


@dataclass
class TranscriptEntry:
    role: Literal["user", "agent"]
    message: str | None
    time_in_call_secs: int
    source_medium: Literal["text", "audio"] = "text"
    interrupted: bool = False
    tool_calls: list[ToolCallRecord] = field(default_factory=list)
    tool_results: list[ToolResultRecord] = field(default_factory=list)
    timings: TurnTimings | None = None

    def to_json(self) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "role": self.role,
            "message": self.message,
            "time_in_call_secs": self.time_in_call_secs,
            "source_medium": self.source_medium,
            "interrupted": self.interrupted,
            "tool_calls": [call.to_json() for call in self.tool_calls],
            "tool_results": [result.to_json() for result in self.tool_results],
            "feedback": None,
        }
        if self.timings is not None:
            entry["conversation_turn_metrics"] = self.timings.to_json()
        return entry


@dataclass(frozen=True)
class ConversationSnapshot:
    """What is stored after every change: enough to read the conversation back."""

    conversation_id: str
    agent_id: str
    status: Status
    started_at: float
    duration_secs: int
    transcript: list[dict[str, Any]]
    termination_reason: str | None
    user_id: str | None
    dynamic_variables: dict[str, Any]


@dataclass(frozen=True)
class RecordedAudio:
    """The call's audio, stored once it has ended."""

    data: bytes
    content_type: str  # e.g. audio/flac
    has_user_audio: bool
    has_response_audio: bool


class ConversationRecorder(Protocol):
    """Persists conversation snapshots; failures must not end the call (the engine logs them)."""

    async def save(self, snapshot: ConversationSnapshot) -> None: ...

    async def save_audio(self, conversation_id: str, audio: RecordedAudio) -> None: ...
