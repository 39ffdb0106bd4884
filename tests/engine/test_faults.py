"""Faults in the models and the database: the conversation degrades or apologises, never hangs,
and what was said is never lost."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable

import pytest

from parley.engine.agent_turns import APOLOGY
from parley.engine.persistence import FINAL_ATTEMPTS
from parley.engine.transcript import ConversationSnapshot
from parley.providers.llm.base import LLMChunk, LLMError, LLMRequest, LLMTimeoutError, TextDelta
from parley.providers.stt.base import STTError
from parley.providers.tts.base import TTSError
from parley.schemas import events as ev
from tests.engine.harness import Harness, audio_ids, talk, voice_harness
from tests.fakes.llm import FakeLLM, Reply, say
from tests.fakes.recorder import MemoryRecorder
from tests.virtual_clock import VirtualClock

AGENT = {
    "agent": {"first_message": "Hello! How can I help?", "prompt": {"prompt": "Be brief."}},
    "conversation": {"client_events": ["user_transcript", "agent_response"]},
}


def user(text: str) -> ev.UserMessage:
    return ev.UserMessage(type="user_message", text=text)


def messages(snapshot: ConversationSnapshot) -> list[tuple[str, str | None]]:
    return [(entry["role"], entry["message"]) for entry in snapshot.transcript]


# --- the LLM --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("failure", "error_type"),
    [
        pytest.param(LLMError("all models down"), "llm_error", id="error"),
        pytest.param(LLMTimeoutError("no first token in 20 s"), "llm_timeout", id="timeout"),
    ],
)
async def test_no_model_answering_gets_an_apology_then_the_error(
    failure: LLMError, error_type: str
) -> None:
    h = await Harness([Reply(error=failure)], AGENT).start()
    await h.send(user("Hello"))
    assert h.types()[-2:] == ["agent_response", "error"], "the apology comes before the error"
    assert h.said() == ["Hello! How can I help?", APOLOGY]
    error = h.of("error")[0].error_event
    assert (error.code, error.error_type) == (1002, error_type)
    assert h.conversation.close_code == 1002
    assert h.recorder.last.status == "failed"
    assert messages(h.recorder.last)[-2:] == [("user", "Hello"), ("agent", APOLOGY)]
    await h.close()


async def test_the_apology_is_spoken_in_a_voice_call() -> None:
    h = await voice_harness(
        [(2.0, 3.5)], ["what time do you open"], [Reply(error=LLMError("down"))]
    ).start()
    await talk(h, 5.0)
    await h.clock.advance(10.0)
    assert h.said()[-1] == APOLOGY
    apology_id = h.of("agent_response")[-1].agent_response_event.event_id
    assert apology_id in audio_ids(h)
    last_audio = max(i for i, e in enumerate(h.events) if e.type == "audio")
    assert h.types().index("error") > last_audio, "the apology's audio is sent before the error"
    assert h.conversation.close_code == 1002
    await h.close()


class BreaksMidReply(FakeLLM):
    """Starts a long spoken reply, then the connection to the model drops."""

    async def stream(self, request: LLMRequest) -> AsyncIterator[LLMChunk]:
        self.requests.append(request)
        yield TextDelta("Our menu has many dishes, soups, salads, pasta, and then ")
        raise LLMError("connection lost")


async def test_a_reply_cut_by_the_llm_stops_speaking_before_the_apology() -> None:
    h = voice_harness([(2.0, 3.5)], ["tell me about the menu"], [], llm=BreaksMidReply([]))
    await h.start()
    await talk(h, 5.0)
    await h.clock.advance(10.0)
    apology = h.of("agent_response")[-1]
    assert apology.agent_response_event.agent_response == APOLOGY
    after = h.events[h.events.index(apology) :]
    voices = {e.audio_event.event_id for e in after if e.type == "audio"}
    assert voices == {apology.agent_response_event.event_id}, "the cut reply fell silent"
    assert h.types()[-1] == "error"
    await h.close()


# --- TTS and STT ----------------------------------------------------------------------------


async def test_a_failing_tts_leaves_the_text_flowing(caplog: pytest.LogCaptureFixture) -> None:
    h = voice_harness(
        [(2.0, 3.5)],
        ["what time do you open"],
        [say("We open at nine."), say("Until ten.")],
        tts_error=TTSError("the voice engine crashed"),
    )
    with caplog.at_level(logging.WARNING):
        await h.start()
        await talk(h, 5.0)
        await h.clock.advance(3.0)
    assert h.said() == ["Hello there, how can I help?", "We open at nine."]
    assert audio_ids(h) == [], "no audio while the TTS fails"
    assert "speech synthesis failed" in caplog.text
    await h.send(user("And when do you close?"))
    await h.clock.advance(1.0)
    assert h.said()[-1] == "Until ten."
    assert not h.conversation.ended.is_set()
    assert [m for _, m in messages(h.recorder.last)][-2:] == [
        "And when do you close?",
        "Until ten.",
    ]
    await h.close()


async def test_a_failing_stt_drops_the_turn_and_the_call_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    h = voice_harness(
        [(2.0, 3.5), (6.0, 7.0)],
        [STTError("whisper crashed"), "are you open on sunday"],
        [say("Yes, from noon."), say("Noon to six.")],
    )
    with caplog.at_level(logging.WARNING):
        await h.start()
        await talk(h, 5.0)
    assert "transcription failed" in caplog.text
    assert h.of("user_transcript") == [], "an utterance that could not be heard is dropped"
    assert h.llm.requests == []
    await talk(h, 3.0)  # the next utterance is heard again
    await h.clock.advance(3.0)
    transcripts = [e.user_transcription_event.user_transcript for e in h.of("user_transcript")]
    assert transcripts == ["are you open on sunday"]
    assert h.said()[-1] == "Yes, from noon."
    await h.send(user("and hours?"))  # typing works too
    await h.clock.advance(3.0)
    assert h.said()[-1] == "Noon to six."
    assert not h.conversation.ended.is_set()
    await h.close()


# --- the database ---------------------------------------------------------------------------


class FlakyRecorder(MemoryRecorder):
    """A database that is down (a restart, a failover) until ``up_at`` on the clock."""

    def __init__(self, clock: VirtualClock, up_at: float) -> None:
        super().__init__()
        self._clock = clock
        self.up_at = up_at
        self.attempts = 0

    async def save(self, snapshot: ConversationSnapshot) -> None:
        self.attempts += 1
        if self._clock.monotonic() < self.up_at:
            raise ConnectionRefusedError("database unavailable")
        await super().save(snapshot)


def flaky(up_at: float) -> Callable[[VirtualClock], FlakyRecorder]:
    return lambda clock: FlakyRecorder(clock, up_at)


async def test_a_briefly_unavailable_database_loses_nothing() -> None:
    replies = [say("It is sunny."), say("Twenty degrees."), say("Goodbye!")]
    h = Harness(replies, AGENT, recorder=flaky(up_at=3.0))
    recorder = h.recorder
    assert isinstance(recorder, FlakyRecorder)
    await h.start()
    await h.send(user("Weather?"))
    await h.send(user("How warm?"))
    assert h.said()[-1] == "Twenty degrees.", "the conversation does not wait for the database"
    await h.clock.advance(2.9)
    assert recorder.snapshots == [], "nothing could be stored yet"
    await h.clock.advance(2.0)  # the database is back: the next retry stores everything
    assert messages(recorder.last) == [
        ("agent", "Hello! How can I help?"),
        ("user", "Weather?"),
        ("agent", "It is sunny."),
        ("user", "How warm?"),
        ("agent", "Twenty degrees."),
    ]
    await h.send(user("Bye"))
    await h.close()
    assert recorder.last.status == "done"
    assert messages(recorder.last)[-2:] == [("user", "Bye"), ("agent", "Goodbye!")]


async def test_the_final_write_gives_up_on_a_database_that_stays_down(
    caplog: pytest.LogCaptureFixture,
) -> None:
    h = Harness([], AGENT, recorder=flaky(up_at=float("inf")))
    recorder = h.recorder
    assert isinstance(recorder, FlakyRecorder)
    await h.start()
    with caplog.at_level(logging.ERROR):
        closing = asyncio.create_task(h.close())
        await h.clock.advance(120.0)  # the retries run on the virtual clock
        await closing
    assert recorder.snapshots == []
    assert recorder.attempts >= FINAL_ATTEMPTS
    assert "gave up storing conversation conv_test" in caplog.text
