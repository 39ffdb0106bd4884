"""Wire audio: format names, μ-law, base64 chunks, and streaming resampling."""

from __future__ import annotations

import base64
import importlib
import warnings
from types import ModuleType

import numpy as np
import pytest

from parley.audio import (
    SUPPORTED_FORMAT_NAMES,
    AudioError,
    AudioFormat,
    Encoding,
    InputDecoder,
    InvalidAudioChunkError,
    OutputEncoder,
    UnsupportedAudioFormatError,
    b64decode_audio,
    float32_to_pcm16,
    pcm16_to_float32,
)
from parley.audio.ulaw import pcm16_to_ulaw, ulaw_to_pcm16

ALL_INT16 = np.arange(-32768, 32768, dtype=np.int16)


def _audioop() -> ModuleType | None:
    """The stdlib reference implementation, where this Python still has it (< 3.13)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            return importlib.import_module("audioop")
        except ImportError:
            return None


def _sine(rate: int, seconds: float, freq: float = 440.0, amp: float = 0.5) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def _random_splits(data: bytes, seed: int) -> list[bytes]:
    rng = np.random.default_rng(seed)
    cuts = np.sort(rng.integers(0, len(data), size=40))
    return [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)]


# --- format names ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", SUPPORTED_FORMAT_NAMES)
def test_every_spec_format_parses_and_round_trips(name: str) -> None:
    fmt = AudioFormat.parse(name)
    assert fmt.name == name
    assert str(fmt) == name


def test_parsed_fields() -> None:
    assert AudioFormat.parse("pcm_44100") == AudioFormat(Encoding.PCM, 44100)
    ulaw = AudioFormat.parse("ulaw_8000")
    assert (ulaw.encoding, ulaw.sample_rate, ulaw.bytes_per_sample) == (Encoding.ULAW, 8000, 1)
    assert AudioFormat.parse("pcm_16000").bytes_per_second == 32000
    assert AudioFormat.parse("pcm_16000").duration_s(3200) == pytest.approx(0.1)


@pytest.mark.parametrize(
    "name",
    ["", "pcm", "pcm_", "pcm_12345", "ulaw_16000", "mp3_44100", "PCM_16000", "pcm_16000x", "opus"],
)
def test_unknown_formats_are_rejected_by_name(name: str) -> None:
    with pytest.raises(UnsupportedAudioFormatError, match="expected one of pcm_8000"):
        AudioFormat.parse(name)


def test_format_errors_are_value_errors() -> None:
    assert issubclass(UnsupportedAudioFormatError, ValueError)
    assert issubclass(InvalidAudioChunkError, AudioError)
    with pytest.raises(UnsupportedAudioFormatError):
        AudioFormat(Encoding.ULAW, 16000)


# --- μ-law ----------------------------------------------------------------------------------


def test_ulaw_decode_known_codes() -> None:
    decoded = ulaw_to_pcm16(bytes([0x00, 0x80, 0xFF, 0x7F, 0xFE]))
    assert decoded.tolist() == [-32124, 32124, 0, 0, 8]


def test_ulaw_is_stable_through_a_round_trip() -> None:
    every_code = ulaw_to_pcm16(bytes(range(256)))
    assert np.array_equal(ulaw_to_pcm16(pcm16_to_ulaw(every_code)), every_code)


def test_ulaw_encode_is_monotonic_and_symmetric() -> None:
    decoded = ulaw_to_pcm16(pcm16_to_ulaw(ALL_INT16)).astype(np.int32)
    assert np.all(np.diff(decoded) >= 0)
    assert np.abs(decoded - ALL_INT16).max() <= 1024  # the coarsest step at full scale


def test_ulaw_matches_audioop_bit_for_bit() -> None:
    audioop = _audioop()
    if audioop is None:
        pytest.skip("audioop is gone from this Python")
    every_code = bytes(range(256))
    assert ulaw_to_pcm16(every_code).tobytes() == audioop.ulaw2lin(every_code, 2)
    assert pcm16_to_ulaw(ALL_INT16) == audioop.lin2ulaw(ALL_INT16.tobytes(), 2)


# --- base64 ---------------------------------------------------------------------------------


@pytest.mark.parametrize("chunk", ["not base64!", "abc", "YWJj\nZA==", "é", b"\xff\xfe", "===="])
def test_invalid_base64_raises_the_specific_error(chunk: str | bytes) -> None:
    with pytest.raises(InvalidAudioChunkError):
        b64decode_audio(chunk)


def test_non_text_chunk_raises_the_specific_error() -> None:
    with pytest.raises(InvalidAudioChunkError):
        b64decode_audio(123)  # type: ignore[arg-type]  # what a malformed JSON frame carries


def test_decoder_rejects_invalid_base64() -> None:
    with pytest.raises(InvalidAudioChunkError):
        InputDecoder(AudioFormat.parse("pcm_16000")).decode_base64("%%%")


# --- input decoding -------------------------------------------------------------------------


def test_pcm16k_decodes_without_resampling() -> None:
    samples = np.array([0, 16384, -32768, 32767], dtype="<i2")
    decoder = InputDecoder(AudioFormat.parse("pcm_16000"))
    out = decoder.decode_base64(base64.b64encode(samples.tobytes()).decode())
    assert out.dtype == np.float32
    assert out.tolist() == pytest.approx([0.0, 0.5, -1.0, 32767 / 32768])
    assert decoder.flush().size == 0


def test_empty_chunk_decodes_to_nothing() -> None:
    assert InputDecoder(AudioFormat.parse("pcm_48000")).decode_base64("").size == 0


def test_odd_byte_counts_carry_over() -> None:
    samples = (np.arange(1001) * 37 - 15000).astype("<i2")
    raw = samples.tobytes()
    decoder = InputDecoder(AudioFormat.parse("pcm_16000"))
    parts = [decoder.decode(piece) for piece in _random_splits(raw, seed=1)]
    parts += [decoder.decode(raw[:1]), decoder.decode(b"")]  # a dangling odd byte is held
    out = np.concatenate(parts)
    assert np.array_equal(float32_to_pcm16(out), samples)
    assert decoder.flush().size == 0  # and dropped at the end


def test_ulaw_input_decodes_to_16k() -> None:
    decoder = InputDecoder(AudioFormat.parse("ulaw_8000"))
    tone = float32_to_pcm16(_sine(8000, 0.5))
    out = np.concatenate([decoder.decode(pcm16_to_ulaw(tone)), decoder.flush()])
    assert out.size == pytest.approx(16000 * 0.5, abs=2)
    assert np.abs(out).max() == pytest.approx(0.5, abs=0.03)


@pytest.mark.parametrize("rate", [8000, 22050, 24000, 44100, 48000])
def test_chunked_resampling_equals_one_shot(rate: int) -> None:
    raw = float32_to_pcm16(_sine(rate, 0.5)).astype("<i2").tobytes()
    fmt = AudioFormat(Encoding.PCM, rate)
    whole = InputDecoder(fmt)
    one_shot = np.concatenate([whole.decode(raw), whole.flush()])
    chunked = InputDecoder(fmt)
    parts = [chunked.decode(piece) for piece in _random_splits(raw, seed=rate)]
    streamed = np.concatenate([*parts, chunked.flush()])
    assert streamed.size == one_shot.size == pytest.approx(8000, abs=2)
    assert np.allclose(streamed, one_shot, atol=1e-5)


def test_resampled_sine_is_smooth_across_chunks() -> None:
    """No clicks: the largest sample-to-sample step stays that of a clean 440 Hz sine."""
    raw = float32_to_pcm16(_sine(44100, 1.0)).astype("<i2").tobytes()
    decoder = InputDecoder(AudioFormat.parse("pcm_44100"))
    out = np.concatenate([decoder.decode(raw[i : i + 2822]) for i in range(0, len(raw), 2822)])
    steady = out[200:-200]
    max_step = 0.5 * 2 * np.pi * 440 / 16000
    assert np.abs(np.diff(steady)).max() <= max_step * 1.05
    assert np.abs(steady).max() == pytest.approx(0.5, abs=0.01)


def test_decoder_is_reusable_after_flush() -> None:
    raw = float32_to_pcm16(_sine(48000, 0.2)).astype("<i2").tobytes()
    decoder = InputDecoder(AudioFormat.parse("pcm_48000"))
    first = np.concatenate([decoder.decode(raw), decoder.flush()])
    second = np.concatenate([decoder.decode(raw), decoder.flush()])
    assert np.array_equal(first, second)


# --- output encoding ------------------------------------------------------------------------


def test_int16_at_the_client_rate_passes_through() -> None:
    samples = np.array([1, -2, 32767, -32768], dtype=np.int16)
    encoder = OutputEncoder(16000, AudioFormat.parse("pcm_16000"))
    assert encoder.encode(samples) == samples.astype("<i2").tobytes()
    assert base64.b64decode(encoder.encode_base64(samples)) == samples.astype("<i2").tobytes()
    assert encoder.flush() == b""


def test_float_output_is_scaled_and_clipped() -> None:
    encoder = OutputEncoder(16000, AudioFormat.parse("pcm_16000"))
    out = np.frombuffer(encoder.encode(np.array([0.5, -0.25, 1.5, -2.0], np.float32)), "<i2")
    assert out.tolist() == [16384, -8192, 32767, -32768]


@pytest.mark.parametrize("name", SUPPORTED_FORMAT_NAMES)
@pytest.mark.parametrize("source_rate", [22050, 24000])
def test_tts_audio_reaches_every_client_format(source_rate: int, name: str) -> None:
    fmt = AudioFormat.parse(name)
    encoder = OutputEncoder(source_rate, fmt)
    tone = _sine(source_rate, 0.5)
    chunks = np.array_split(tone, 7)
    data = b"".join([encoder.encode(chunk) for chunk in chunks]) + encoder.flush()
    assert fmt.duration_s(len(data)) == pytest.approx(0.5, abs=0.001)
    back = InputDecoder(fmt, target_rate=fmt.sample_rate).decode(data)
    assert np.abs(back).max() == pytest.approx(0.5, abs=0.03)


def test_int16_tts_audio_is_resampled() -> None:
    encoder = OutputEncoder(24000, AudioFormat.parse("ulaw_8000"))
    tone = float32_to_pcm16(_sine(24000, 0.3))
    data = encoder.encode(tone) + encoder.flush()
    assert len(data) == pytest.approx(2400, abs=2)
    assert np.abs(pcm16_to_float32(ulaw_to_pcm16(data))).max() == pytest.approx(0.5, abs=0.03)
