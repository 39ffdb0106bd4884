"""Drive one engine conversation on a virtual clock and a scripted LLM, recording its events."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from parley.agents.config import apply_defaults, validate_document
from parley.engine.conversation import Conversation, EngineOptions
from parley.engine.session import resolve_session
from parley.engine.transcript import ConversationSnapshot, RecordedAudio
from parley.engine.voice import VoiceProviders
from parley.schemas.events import ConversationInitiationClientData, ServerEvent
from parley.storage.agents import StoredAgent
from tests.fake_llm import FakeLLM, Reply
from tests.virtual_clock import VirtualClock, settle


def stored_agent(
    conversation_config: dict[str, Any] | None = None,
    platform_settings: dict[str, Any] | None = None,
) -> StoredAgent:
    document = validate_document(
        apply_defaults(
            {
                "conversation_config": conversation_config or {},
                "platform_settings": platform_settings or {},
            }
        )
    )
    return StoredAgent(
        agent_id="agent_test",
        name="",
        tags=[],
        conversation_config=document["conversation_config"],
        platform_settings=document["platform_settings"],
        workflow=None,
        created_at_ms=0,
        updated_at_ms=0,
    )


def initiation(**fields: Any) -> ConversationInitiationClientData:
    return ConversationInitiationClientData(type="conversation_initiation_client_data", **fields)


class MemoryRecorder:
    def __init__(self) -> None:
        self.snapshots: list[ConversationSnapshot] = []
        self.audio: dict[str, RecordedAudio] = {}

    async def save(self, snapshot: ConversationSnapshot) -> None:
        self.snapshots.append(snapshot)

    async def save_audio(self, conversation_id: str, audio: RecordedAudio) -> None:
        self.audio[conversation_id] = audio

    @property
    def last(self) -> ConversationSnapshot:
        return self.snapshots[-1]


class Harness:
    def __init__(
        self,
        replies: list[Reply] | None = None,
        conversation_config: dict[str, Any] | None = None,
        platform_settings: dict[str, Any] | None = None,
        init: ConversationInitiationClientData | None = None,
        ping_interval: float = 1000.0,
        voice: Callable[[VirtualClock], VoiceProviders] | None = None,
    ) -> None:
        """``voice`` builds the (fake) voice models on the harness's clock."""
        self.clock = VirtualClock()
        self.llm = FakeLLM(replies if replies is not None else [], self.clock)
        self.recorder = MemoryRecorder()
        self.events: list[ServerEvent] = []
        agent = stored_agent(conversation_config, platform_settings)
        session = resolve_session(agent, init, "conv_test", self.clock.now())
        self.conversation = Conversation(
            session,
            self.llm,
            self.clock,
            self._emit,
            self.recorder,
            EngineOptions(ping_interval_seconds=ping_interval),
            voice(self.clock) if voice is not None else None,
        )

    async def _emit(self, event: ServerEvent) -> None:
        self.events.append(event)

    async def start(self) -> Harness:
        await self.conversation.start()
        await settle()
        return self

    async def send(self, event: Any) -> None:
        await self.conversation.handle(event)
        await settle()

    def types(self) -> list[str]:
        return [event.type for event in self.events]

    def of(self, event_type: str) -> list[Any]:
        return [event for event in self.events if event.type == event_type]

    def said(self) -> list[str]:
        return [e.agent_response_event.agent_response for e in self.of("agent_response")]

    async def close(self) -> None:
        await self.conversation.shutdown()
