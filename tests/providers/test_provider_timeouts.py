"""Provider timeouts run on the injected clock: a virtual clock decides when they pass."""

from __future__ import annotations

import asyncio
import threading

import pytest

from parley.providers.llm.base import ChatMessage, LLMChunk, LLMRequest, LLMTimeoutError
from parley.providers.llm.cascade import CascadeLLM
from parley.providers.stt.base import STTTimeoutError, ThreadedSTT
from parley.providers.timeouts import clock_timeout
from tests.fakes.audio import FakeTranscriber, tone
from tests.fakes.llm import FakeLLM, say
from tests.virtual_clock import VirtualClock

pytestmark = pytest.mark.virtual_time  # every test here runs on the virtual clock

REQUEST = LLMRequest(messages=(ChatMessage("user", "when do you open?"),))


async def test_the_deadline_passes_when_the_clock_says_so() -> None:
    clock = VirtualClock()
    finished = asyncio.Event()

    async def wait_long() -> None:
        async with clock_timeout(clock, 5.0):
            await finished.wait()

    task = asyncio.create_task(wait_long())
    await clock.advance(4.9)
    assert not task.done()
    await clock.advance(0.1)
    assert task.done()
    with pytest.raises(TimeoutError):
        await task


async def test_a_body_that_ends_in_time_is_left_alone() -> None:
    clock = VirtualClock()

    async def quick() -> str:
        async with clock_timeout(clock, 5.0):
            await clock.sleep(1.0)
            return "done"

    task = asyncio.create_task(quick())
    await clock.advance(1.0)
    assert await task == "done"
    await clock.advance(10.0)  # the expired deadline does not fire later
    async with clock_timeout(clock, None):  # None: no deadline at all
        await asyncio.sleep(0)


async def test_a_cancellation_from_outside_stays_a_cancellation() -> None:
    clock = VirtualClock()

    async def wait_forever() -> None:
        async with clock_timeout(clock, 5.0):
            await asyncio.Event().wait()

    task = asyncio.create_task(wait_forever())
    await clock.advance(1.0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_stt_times_out_on_the_injected_clock() -> None:
    clock = VirtualClock()
    gate = threading.Event()
    transcriber = FakeTranscriber("late", gate=gate)
    stt = ThreadedSTT(transcriber, timeout_s=10.0, clock=clock)
    try:
        task = asyncio.create_task(stt.transcribe(tone(1.0)))  # the gate holds the decode
        await clock.advance(9.0)
        assert not task.done()
        await clock.advance(1.0)
        assert task.done()  # at once, not after 10 s of real time
        with pytest.raises(STTTimeoutError, match=r"no transcript in 10\.0 s") as caught:
            await task
        assert caught.value.retryable
    finally:
        gate.set()
        await stt.aclose()


async def _reply(llm: CascadeLLM) -> list[LLMChunk]:
    return [chunk async for chunk in llm.stream(REQUEST)]


async def test_cascade_falls_back_when_the_clock_says_the_first_model_is_late() -> None:
    clock = VirtualClock()
    slow = FakeLLM([say("too late", delay=30.0)], clock)
    backup = FakeLLM([say("We open at nine.")], clock)
    task = asyncio.create_task(_reply(CascadeLLM([slow, backup], 20.0, clock)))
    await clock.advance(19.0)
    assert not task.done()
    await clock.advance(1.0)
    assert task.done()
    assert [getattr(chunk, "text", None) for chunk in await task] == ["We open at nine."]


async def test_cascade_of_one_late_model_is_a_retryable_timeout() -> None:
    clock = VirtualClock()
    slow = FakeLLM([say("too late", delay=30.0)], clock)
    task = asyncio.create_task(_reply(CascadeLLM([slow], 20.0, clock)))
    await clock.advance(20.0)
    assert task.done()
    with pytest.raises(LLMTimeoutError, match="no answer within 20 s") as caught:
        await task
    assert caught.value.retryable
