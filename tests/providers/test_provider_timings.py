"""Per-call provider timings, recorded in one place on the injected clock."""

from __future__ import annotations

import asyncio
from contextlib import aclosing

import pytest

from parley.providers.llm.base import ChatMessage, LLMError, LLMRequest, TextDelta
from parley.providers.timings import CallTiming, CallTimings, TimedLLM, TimedSTT, TimedTTS
from parley.providers.tts.base import UnknownVoiceError
from tests.fakes.audio import FakeSTT, silence
from tests.fakes.llm import FakeLLM, Reply, say
from tests.fakes.tts import FakeTTS
from tests.virtual_clock import VirtualClock

pytestmark = pytest.mark.virtual_time  # every test here runs on the virtual clock

REQUEST = LLMRequest(messages=(ChatMessage("user", "when do you open?"),))


async def test_an_llm_reply_records_its_first_chunk_and_its_duration() -> None:
    clock = VirtualClock()
    await clock.advance(4.0)  # times in binary-exact steps: equal, not approximately
    heard: list[CallTiming] = []
    timings = CallTimings(clock, on_call=heard.append)
    llm = TimedLLM(FakeLLM([say("We open ", "at nine.", delay=0.5)], clock), timings)

    async def reply() -> list[str]:
        return [chunk.text async for chunk in llm.stream(REQUEST) if isinstance(chunk, TextDelta)]

    task = asyncio.create_task(reply())
    await clock.advance(0.5)
    assert await task == ["We open ", "at nine."]
    timing = timings.last("llm")
    assert timing == CallTiming("llm", "fake", 4.0, 0.5, 0.5, 2, "ok")
    assert heard == [timing]
    assert llm.name == "fake"


async def test_a_reply_closed_early_or_failing_says_so() -> None:
    clock = VirtualClock()
    timings = CallTimings(clock)
    llm = TimedLLM(FakeLLM([say("one ", "two ", "three"), Reply(error=LLMError("down"))]), timings)
    async with aclosing(llm.stream(REQUEST)) as chunks:  # type: ignore[type-var]
        await anext(chunks)
    with pytest.raises(LLMError):
        async for _ in llm.stream(REQUEST):
            pass
    stopped, failed = timings.calls("llm")
    assert (stopped.outcome, stopped.results, stopped.first_result) == ("stopped", 1, 0.0)
    assert (failed.outcome, failed.results, failed.first_result) == ("error", 0, None)


async def test_transcripts_are_timed_and_skipped_partials_are_not() -> None:
    clock = VirtualClock()
    timings = CallTimings(clock)
    stt = TimedSTT(FakeSTT("book a table", delay=0.3, clock=clock), timings)
    assert await stt.partial(silence(0.5)) is None  # the fake has no partials: not a call
    task = asyncio.create_task(stt.transcribe(silence(1.0)))
    await clock.advance(0.3)
    assert (await task).text == "book a table"
    assert timings.calls("stt_partial") == []
    assert timings.last("stt") == CallTiming("stt", "fake", 0.0, 0.3, 0.3, 1, "ok")


async def test_a_synthesis_records_each_clause_and_fails_early_as_before() -> None:
    clock = VirtualClock()
    timings = CallTimings(clock)
    engine = FakeTTS(("joe",), clock=clock, latency=0.25)
    tts = TimedTTS(engine, timings)
    assert [voice.voice_id for voice in tts.voices()] == ["joe"]
    with pytest.raises(UnknownVoiceError):
        tts.synthesize("Hello there.", "rachel")

    async def speak() -> list[str]:
        return [chunk.text async for chunk in tts.synthesize("Hello there. Bye.", "joe")]

    task = asyncio.create_task(speak())
    await clock.advance(0.5)
    assert await task == ["Hello there.", "Bye."]
    timing = timings.last("tts")
    assert timing == CallTiming("tts", "fake", 0.0, 0.25, 0.5, 2, "ok")
    assert timing.rate == 4.0  # one more clause 0.25 s after the first
    await tts.aclose()
    assert engine.closed


def test_only_the_recent_calls_are_kept() -> None:
    timings = CallTimings(VirtualClock(), keep=2)
    for second in (1.0, 2.0, 3.0):
        timings.record(CallTiming("tts", "fake", second, None, 0.0, 0, "ok"))
    assert [timing.started for timing in timings.calls("tts")] == [2.0, 3.0]
    assert timings.last("llm") is None
    assert CallTiming("llm", "fake", 0.0, 0.1, 0.1, 1, "ok").rate is None
