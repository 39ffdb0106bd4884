"""Drive one engine conversation on a virtual clock and a scripted LLM, recording its events."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from parley.agents.config import apply_defaults, validate_document
from parley.agents.view import resolve_agent
from parley.engine.conversation import Conversation, EngineOptions
from parley.providers.stt.base import STTError
from parley.providers.tts.base import TTSError
from parley.providers.voice import VoiceProviders
from parley.schemas.events import ConversationInitiationClientData, ServerEvent
from parley.storage.agents import StoredAgent
from tests.fakes.audio import FakeSTT, FakeVAD
from tests.fakes.llm import FakeLLM, Reply
from tests.fakes.recorder import MemoryRecorder
from tests.fakes.tts import FakeTTS
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


class Harness:
    def __init__(
        self,
        replies: list[Reply] | None = None,
        conversation_config: dict[str, Any] | None = None,
        platform_settings: dict[str, Any] | None = None,
        init: ConversationInitiationClientData | None = None,
        ping_interval: float = 1000.0,
        voice: Callable[[VirtualClock], VoiceProviders] | None = None,
        *,
        llm: FakeLLM | None = None,
        recorder: Callable[[VirtualClock], MemoryRecorder] | None = None,
    ) -> None:
        """``voice`` builds the (fake) voice models on the harness's clock, ``recorder`` the
        (fake) database; ``llm`` replaces the scripted LLM built from ``replies``."""
        self.clock = VirtualClock()
        self.llm = llm or FakeLLM(replies if replies is not None else [], self.clock)
        self.recorder = recorder(self.clock) if recorder is not None else MemoryRecorder()
        self.events: list[ServerEvent] = []
        agent = stored_agent(conversation_config, platform_settings)
        view = resolve_agent(agent, init, "conv_test", self.clock.now()).view
        self.conversation = Conversation(
            view,
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


# --- voice conversations ----------------------------------------------------------------------

CHUNK = np.zeros(512, dtype=np.int16).tobytes()  # 32 ms of pcm_16000
EVENTS = [
    "audio",
    "interruption",
    "user_transcript",
    "tentative_user_transcript",
    "agent_response",
    "agent_response_correction",
    "vad_score",
]


def voice_harness(
    speech: list[tuple[float, float]],
    transcripts: list[str | STTError],
    replies: list[Any],
    *,
    tts_error: TTSError | None = None,
    platform_settings: dict[str, Any] | None = None,
    interim: str | None = None,
    llm: FakeLLM | None = None,
    stt_delay: float = 0.2,
    turn: dict[str, Any] | None = None,
    **agent: Any,
) -> Harness:
    """A voice conversation whose user speaks during ``speech`` (seconds of audio); an
    ``STTError`` among the ``transcripts`` or a ``tts_error`` makes that model fail;
    ``interim``: the text of every interim transcript (None: no interim transcripts)."""

    def providers(clock: VirtualClock) -> VoiceProviders:
        partial = None if interim is None else lambda _: interim
        return VoiceProviders(
            vad=FakeVAD.from_segments(*speech),
            stt=FakeSTT(*transcripts, clock=clock, delay=stt_delay, partial_text=partial),
            tts=FakeTTS(
                ("fake",), clock=clock, latency=0.05, seconds_per_char=0.05, error=tts_error
            ),
            default_voice_id="fake",
        )

    return Harness(
        replies,
        {
            "agent": {"first_message": "Hello there, how can I help?", **agent},
            "conversation": {"client_events": EVENTS},
            **({"turn": turn} if turn is not None else {}),
        },
        platform_settings,
        voice=providers,
        llm=llm,
    )


async def talk(harness: Harness, seconds: float) -> None:
    """Stream ``seconds`` of audio in real time on the virtual clock."""
    for _ in range(round(seconds / 0.032)):
        await harness.conversation.hear(CHUNK)
        await harness.clock.advance(0.032)


def audio_ids(harness: Harness) -> list[int]:
    return [e.audio_event.event_id for e in harness.of("audio")]
