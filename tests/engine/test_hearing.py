"""Hearing: audio → VAD → turn detection → interim, speculative and final transcripts."""

from __future__ import annotations

from typing import TypedDict, Unpack

import numpy as np

from parley.audio.formats import AudioFormat
from parley.engine.hearing import (
    HeardEvent,
    Hearing,
    HearingSettings,
    InterimTranscript,
    UserStartedSpeaking,
    UserTurn,
    VoiceActivity,
    sounds_finished,
)
from parley.engine.turn_detection import DetectorSettings
from parley.providers.stt.base import TranscribeOptions
from tests.fakes.audio import FakeSTT, FakeVAD
from tests.virtual_clock import VirtualClock, settle

CHUNK = 512  # 32 ms at 16 kHz, what browsers send


class Overrides(TypedDict, total=False):
    """The :class:`HearingSettings` a test sets (the rest keep their defaults)."""

    interim_every_seconds: float
    report_activity: bool


class Ears:
    def __init__(
        self, vad: FakeVAD, stt: FakeSTT, *, end_silence: float = 0.5, **settings: Unpack[Overrides]
    ) -> None:
        self.events: list[HeardEvent] = []
        detector = DetectorSettings(end_silence_seconds=end_silence)
        self.hearing = Hearing(
            vad.stream(),
            stt,
            self._listen,
            TranscribeOptions(keywords=("Parley",)),
            HearingSettings(detector=detector, **settings),
        )

    async def _listen(self, event: HeardEvent) -> None:
        self.events.append(event)

    async def feed_seconds(self, seconds: float) -> None:
        for _ in range(round(seconds * 16000 / CHUNK)):
            await self.hearing.feed(np.zeros(CHUNK, dtype=np.float32))
            await settle()

    def heard(self) -> list[HeardEvent]:
        return [e for e in self.events if not isinstance(e, VoiceActivity)]


async def test_a_turn_is_heard_with_its_transcript() -> None:
    stt = FakeSTT("book a table for two")
    ears = Ears(FakeVAD.from_segments((0.5, 2.0)), stt)
    await ears.feed_seconds(3.0)
    await settle()
    heard = ears.heard()
    assert isinstance(heard[0], UserStartedSpeaking)
    turn = heard[-1]
    assert isinstance(turn, UserTurn)
    assert turn.text == "book a table for two"
    assert turn.speculative is True, "the transcript was started at the pause"
    assert turn.turn_ended_at - turn.speech_ended_at >= 0.5
    finals = [request for request in stt.requests if request[1]]
    assert len(finals) == 1
    samples, _, options = finals[0]
    assert samples / 16000 >= 1.5 + 0.3 - 0.1, "the utterance includes the pre-roll"
    assert options.keywords == ("Parley",)
    await ears.hearing.close()


async def test_speech_that_resumes_discards_the_speculative_transcript() -> None:
    clock = VirtualClock()
    stt = FakeSTT("first half", "the whole sentence", delay=0.0, clock=clock)
    ears = Ears(FakeVAD.from_segments((0.5, 1.5), (1.75, 2.5)), stt)
    await ears.feed_seconds(3.5)
    await settle()
    turns = [e for e in ears.events if isinstance(e, UserTurn)]
    assert [t.text for t in turns] == ["the whole sentence"]
    await ears.hearing.close()


async def test_interim_transcripts_while_speaking() -> None:
    stt = FakeSTT("done", partial_text=lambda audio: f"{audio.size // 16000} s so far")
    ears = Ears(FakeVAD.from_segments((0.2, 2.6)), stt, interim_every_seconds=0.6)
    await ears.feed_seconds(3.5)
    interim = [e.text for e in ears.events if isinstance(e, InterimTranscript)]
    assert len(interim) >= 3
    assert interim == sorted(interim)
    await ears.hearing.close()


async def test_a_click_is_not_a_turn() -> None:
    ears = Ears(FakeVAD.from_segments((0.5, 0.56)), FakeSTT("ghost"))
    await ears.feed_seconds(2.0)
    assert ears.heard() == []
    await ears.hearing.close()


async def test_voice_activity_is_reported_per_chunk() -> None:
    ears = Ears(FakeVAD.from_segments((0.0, 1.0)), FakeSTT())
    await ears.feed_seconds(0.32)
    scores = [e.score for e in ears.events if isinstance(e, VoiceActivity)]
    assert len(scores) == 10
    assert min(scores) > 0.5
    await ears.hearing.close()


async def test_sustained_speech_is_reported_once_and_only_for_long_speech() -> None:
    from parley.engine.hearing import SustainedSpeech

    ears = Ears(FakeVAD.from_segments((0.5, 0.8), (2.0, 3.0)), FakeSTT("uh-huh", "a question"))
    await ears.feed_seconds(4.0)
    kinds = [type(e).__name__ for e in ears.heard()]
    assert kinds.count("SustainedSpeech") == 1
    sustained = kinds.index("SustainedSpeech")
    assert kinds[:sustained].count("UserTurn") == 1, "the short 'uh-huh' was not sustained"
    assert isinstance(ears.heard()[sustained], SustainedSpeech)
    await ears.hearing.close()


async def test_a_finished_sentence_ends_the_turn_sooner_than_an_unfinished_one() -> None:
    waits = []
    for text in ("What time do you open?", "I would like to"):
        ears = Ears(FakeVAD.from_segments((0.5, 2.0)), FakeSTT(text), end_silence=0.6)
        await ears.feed_seconds(3.0)
        await settle()
        turn = ears.heard()[-1]
        assert isinstance(turn, UserTurn)
        assert turn.text == text
        waits.append(turn.turn_ended_at - turn.speech_ended_at)
        await ears.hearing.close()
    finished, unfinished = waits
    assert finished < 0.4, "a question ends the turn after the short silence"
    assert unfinished >= 0.6, "a sentence that trails off waits the whole silence"


def test_what_sounds_finished() -> None:
    assert sounds_finished("What time do you open?")
    assert sounds_finished('He said "yes."')
    assert not sounds_finished("I would like to")
    assert not sounds_finished("So I was thinking...")


async def test_voice_activity_is_reported_only_when_asked_for() -> None:
    for report in (True, False):
        ears = Ears(FakeVAD.from_segments((0.5, 1.0)), FakeSTT("hi"), report_activity=report)
        await ears.feed_seconds(2.0)
        await settle()
        activity = [e for e in ears.events if isinstance(e, VoiceActivity)]
        assert bool(activity) is report
        assert isinstance(ears.heard()[-1], UserTurn), "the turn is heard either way"
        await ears.hearing.close()


async def test_the_recording_tap_gets_the_clients_samples_or_the_resampled_audio() -> None:
    """16 kHz PCM reaches the recording as the client's own int16 samples (no float round
    trip per chunk); another rate arrives there resampled to 16 kHz, as float32."""
    tapped: list[np.ndarray] = []
    samples = (np.arange(CHUNK, dtype=np.int16) * 37 - 9000).astype(np.int16)
    for name, rate in (("pcm_16000", 16000), ("pcm_48000", 48000)):
        tapped.clear()

        async def listen(event: HeardEvent) -> None:
            pass

        hearing = Hearing(
            FakeVAD.from_segments().stream(),
            FakeSTT(""),
            listen,
            TranscribeOptions(),
            input_format=AudioFormat.parse(name),
            tap=tapped.append,
        )
        for _ in range(20):
            await hearing.feed_encoded(samples.tobytes())
        if rate == 16000:
            assert all(chunk.dtype == np.int16 for chunk in tapped)
            assert np.array_equal(np.concatenate(tapped), np.tile(samples, 20))
        else:
            assert all(chunk.dtype == np.float32 for chunk in tapped)
            # a third as many samples, less soxr's delay (under 50 ms)
            total = sum(chunk.size for chunk in tapped)
            assert 20 * CHUNK / 3 - 800 <= total <= 20 * CHUNK / 3
