"""The base Piper and Kokoro share: voice checks, clauses, speed, the worker, cancellation.

Driven through a fake engine (:class:`tests.fakes.tts.FakeRenderingTTS`) that renders on the
base's real worker thread, so no model is needed.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from contextlib import aclosing

import pytest

from parley.providers.tts.base import (
    TTS,
    AudioChunk,
    TTSError,
    TTSOptions,
    TTSUnavailableError,
    UnknownVoiceError,
)
from parley.providers.tts.clauses import split_clauses
from parley.providers.tts.rendering import StopSignal
from tests.fakes.tts import SAMPLE_RATE, FakeRenderingTTS

TEXT = "Hello there. Your table for two is booked for tomorrow, at seven in the evening. Bye."


async def _speak(
    tts: TTS, text: str, voice_id: str = "fake", speed: float = 1.0
) -> list[AudioChunk]:
    stream: AsyncIterator[AudioChunk] = tts.synthesize(text, voice_id, speed)
    async with aclosing(stream) as chunks:  # type: ignore[type-var]  # an async generator
        return [chunk async for chunk in chunks]


async def _started(tts: FakeRenderingTTS) -> None:
    """Wait (in real time, briefly) until the worker thread is inside a render."""
    assert await asyncio.to_thread(tts.started.wait, 5)


async def test_clauses_are_rendered_in_order_on_the_models_worker() -> None:
    tts = FakeRenderingTTS(("fake", "other"), options=TTSOptions(min_clause_chars=24))
    try:
        chunks = await _speak(tts, TEXT, "other")
    finally:
        await tts.aclose()
    expected = split_clauses(TEXT, min_chars=24, first_min_chars=12)
    assert [chunk.text for chunk in chunks] == expected
    assert {chunk.voice_id for chunk in chunks} == {"other"}
    assert {chunk.sample_rate for chunk in chunks} == {SAMPLE_RATE}
    assert [render.text for render in tts.rendered] == expected
    threads = {render.thread for render in tts.rendered}
    assert len(threads) == 1
    assert threads.pop().startswith("tts-fake-render")


async def test_an_unknown_voice_fails_before_any_audio() -> None:
    tts = FakeRenderingTTS(("joe", "af_heart"))
    with pytest.raises(UnknownVoiceError, match="joe, af_heart") as raised:
        tts.synthesize("Hello.", "rachel")
    assert not raised.value.retryable
    assert tts.rendered == []


async def test_a_voice_that_cannot_load_fails_before_any_audio() -> None:
    tts = FakeRenderingTTS(("fake", "broken"), broken_voices=("broken",))
    with pytest.raises(TTSUnavailableError, match="damaged"):
        tts.synthesize("Hello.", "broken")
    assert tts.rendered == []


@pytest.mark.parametrize(("asked", "rendered"), [(1.25, 1.25), (9.0, 2.0), (0.1, 0.5)])
async def test_speed_reaches_the_engine_clamped(asked: float, rendered: float) -> None:
    tts = FakeRenderingTTS()
    try:
        normal = await _speak(tts, "One clause only.")
        changed = await _speak(tts, "One clause only.", speed=asked)
    finally:
        await tts.aclose()
    assert [render.speed for render in tts.rendered] == [1.0, rendered]
    assert changed[0].duration == pytest.approx(normal[0].duration / rendered, abs=1e-3)


def test_a_speed_that_is_not_positive_is_refused_at_once() -> None:
    tts = FakeRenderingTTS()
    with pytest.raises(TTSError, match="positive") as raised:
        tts.synthesize("Hello.", "fake", 0.0)
    assert not raised.value.retryable
    assert tts.rendered == []


async def test_clauses_without_samples_are_skipped() -> None:
    tts = FakeRenderingTTS(silent=("Hello there.",))
    try:
        chunks = await _speak(tts, "Hello there. Bye.")
    finally:
        await tts.aclose()
    assert [chunk.text for chunk in chunks] == ["Bye."]


async def test_cancelling_stops_the_clause_under_way_and_renders_no_more() -> None:
    gate = threading.Event()
    tts = FakeRenderingTTS(gate=gate)
    received: list[str] = []

    async def consume() -> None:
        received.extend(chunk.text for chunk in await _speak(tts, TEXT))

    try:
        task = asyncio.create_task(consume())
        await _started(tts)  # the first clause is being rendered, and waits for the gate
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        first = split_clauses(TEXT)[0]
        # The stop signal reached the render under way, and no later clause started.
        assert await asyncio.to_thread(tts.stop_seen.wait, 5)
        assert tts.stopped == [first]
        assert [render.text for render in tts.rendered] == [first]
        assert received == []
        # The worker is free again: the next synthesis is not stuck behind the old one.
        gate.set()
        assert [chunk.text for chunk in await _speak(tts, "Yes.")] == ["Yes."]
    finally:
        gate.set()
        await tts.aclose()


async def test_closing_the_stream_early_stops_after_the_clause_in_hand() -> None:
    tts = FakeRenderingTTS()
    try:
        async with aclosing(tts.synthesize(TEXT, "fake")) as stream:  # type: ignore[type-var]
            first = await anext(stream)
    finally:
        await tts.aclose()
    assert first.text == split_clauses(TEXT)[0]
    assert [render.text for render in tts.rendered] == [first.text]


async def test_model_failures_become_retryable_tts_errors() -> None:
    tts = FakeRenderingTTS(error=RuntimeError("onnxruntime exploded"))
    try:
        with pytest.raises(
            TTSError, match="fake-render synthesis failed: onnxruntime exploded"
        ) as e:
            await _speak(tts, "Hello.")
        assert type(e.value) is TTSError
        assert e.value.retryable
    finally:
        await tts.aclose()


async def test_tts_errors_from_the_engine_pass_unchanged() -> None:
    tts = FakeRenderingTTS(error=TTSError("espeak-ng failed (1): no voice", retryable=False))
    try:
        with pytest.raises(TTSError, match=r"^espeak-ng failed") as raised:
            await _speak(tts, "Hello.")
        assert not raised.value.retryable
    finally:
        await tts.aclose()


async def test_a_closed_engine_is_unavailable() -> None:
    tts = FakeRenderingTTS()
    await _speak(tts, "Hello.")
    await tts.aclose()
    await tts.aclose()  # twice is fine
    with pytest.raises(TTSUnavailableError, match="closed"):
        tts.synthesize("Hello.", "fake")


def test_a_stop_hook_runs_once_even_when_added_after_the_stop() -> None:
    stop = StopSignal()
    calls: list[str] = []
    stop.on_set(lambda: calls.append("before"))
    assert not stop.is_set()
    stop.set()
    stop.set()
    stop.on_set(lambda: calls.append("after"))
    assert stop.is_set()
    assert stop.wait(0)
    assert calls == ["before", "after"]
