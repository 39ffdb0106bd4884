"""Speculative replies: the LLM starts on a pause's transcript, and the turn reuses that reply
when the pause was the end of the turn, or it is discarded when the user goes on."""

from __future__ import annotations

from parley.engine.speculation import SpeculativeLLM
from parley.providers.llm.base import LLMRequest, TextDelta
from tests.engine.harness import Harness, talk, voice_harness
from tests.fakes.llm import FakeLLM, say
from tests.virtual_clock import VirtualClock, settle

QUESTION = (3.0, 4.0)  # seconds of audio in which the user asks; the first message is over
LLM_SECONDS = 0.3


def last_user_text(request: LLMRequest) -> str:
    return [m.content for m in request.messages if m.role == "user"][-1]


def speculation_of(h: Harness) -> SpeculativeLLM:
    llm = h.conversation.llm
    assert isinstance(llm, SpeculativeLLM)
    return llm


async def test_the_reply_starts_during_the_pause_and_is_used() -> None:
    h = await voice_harness(
        [QUESTION], ["when do you open"], [say("We open at nine.", delay=LLM_SECONDS)]
    ).start()
    # Normal eagerness ends an unpunctuated turn after 0.6 s of silence (at ~4.6 s); the
    # pause is transcribed after 0.15 s + the fake STT's 0.2 s, so the LLM starts at ~4.35 s.
    await talk(h, 4.5)
    assert len(h.llm.requests) == 1, "the LLM was asked before the turn ended"
    assert h.said()[-1] != "We open at nine."
    await talk(h, 0.3)  # by 4.8 s: without speculation the reply would only come at ~4.9 s
    assert h.said()[-1] == "We open at nine."
    assert len(h.llm.requests) == 1
    assert last_user_text(h.llm.requests[0]) == "when do you open"
    assert speculation_of(h).hits == 1
    await h.close()


async def test_speaking_on_discards_the_speculative_reply() -> None:
    h = await voice_harness(
        [(3.0, 4.0), (4.45, 5.2)],
        ["I would like", "I would like a table for two"],
        [say("Sure, what would you like?", delay=1.0), say("For when?", delay=LLM_SECONDS)],
    ).start()
    await talk(h, 8.0)
    await h.clock.advance(2.0)
    assert [last_user_text(r) for r in h.llm.requests] == [
        "I would like",
        "I would like a table for two",
    ]
    assert "Sure, what would you like?" not in h.said(), "the discarded reply was never said"
    assert h.said()[-1] == "For when?"
    user_turns = [e.user_transcription_event.user_transcript for e in h.of("user_transcript")]
    assert user_turns == ["I would like a table for two"]
    assert speculation_of(h).hits == 1, "only the second pause's reply was used"
    await h.close()


async def test_a_reply_for_another_request_is_not_reused() -> None:
    clock = VirtualClock()
    fake = FakeLLM([say("stale", delay=5.0), say("fresh")], clock)
    llm = SpeculativeLLM(fake)
    await llm.start(LLMRequest(messages=()))
    await settle()
    chunks = [chunk async for chunk in llm.stream(LLMRequest(messages=(), temperature=0.1))]
    assert chunks == [TextDelta("fresh")]
    assert llm.hits == 0
    await clock.advance(6.0)
    assert len(fake.requests) == 2
