"""Hearing the user: audio in, speech events and transcripts out.

Per conversation: 16 kHz audio goes through the VAD stream and the
:class:`~parley.engine.turn_detection.TurnDetector`; the current utterance is buffered (with a
little audio from before the VAD fired). While the user speaks, interim transcripts are
requested when the STT is free; when the user *pauses*, the final transcript is started at
once, speculatively, so that when the pause turns out to be the end of the turn the text is
usually ready already. Speech that resumes discards the speculative transcript.

``feed`` never waits for a model: transcription runs in background tasks, and results reach
the conversation through the ``listener`` callback, in order.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from parley.audio.codec import InputDecoder
from parley.audio.formats import AudioFormat
from parley.engine.turn_detection import (
    DetectorSettings,
    Paused,
    Resumed,
    SpeechEvent,
    SpeechStarted,
    SpeechState,
    TurnDetector,
    TurnEnded,
)
from parley.providers.stt.base import STT, STTError, TranscribeOptions, Transcript
from parley.providers.vad.base import VADStream

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
Audio = NDArray[np.float32]


def sounds_finished(text: str) -> bool:
    """Whether a transcript ends like a finished sentence. Whisper punctuates what it hears:
    a trailing-off "so I was thinking..." or an unpunctuated "I would like to" is not done."""
    end = text.rstrip(" \"')»”")
    return end.endswith((".", "?", "!")) and not end.endswith("..")


@dataclass(frozen=True)
class UserStartedSpeaking:
    at: float


@dataclass(frozen=True)
class SustainedSpeech:
    """The user has been talking for ``barge_in_seconds``: long enough to be taking the turn
    (a short "uh-huh" or a click never gets here)."""


@dataclass(frozen=True)
class InterimTranscript:
    text: str


@dataclass(frozen=True)
class TentativeTurn:
    """The user paused, and this is what they said: the turn may be over (a reply to it may
    be prepared), or they may go on (:class:`TurnContinued`)."""

    text: str


@dataclass(frozen=True)
class TurnContinued:
    """The user spoke again after a :class:`TentativeTurn`: it was not the end of the turn."""


@dataclass(frozen=True)
class UserTurn:
    """The user finished a turn: ``text`` is the final transcript (may be empty: noise)."""

    text: str
    speech_ended_at: float  # audio seconds
    turn_ended_at: float  # audio seconds when silence made it final
    speculative: bool  # the transcript was started at the pause, before the turn ended
    audio_now: float = 0.0  # audio seconds heard when this event was delivered


@dataclass(frozen=True)
class VoiceActivity:
    score: float  # the loudest VAD score of the chunk just fed


HeardEvent = (
    UserStartedSpeaking
    | SustainedSpeech
    | InterimTranscript
    | TentativeTurn
    | TurnContinued
    | UserTurn
    | VoiceActivity
)
Listener = Callable[[HeardEvent], Awaitable[None]]
# sees every chunk of 16 kHz audio (the recording): int16 as the client sent it where that
# is 16 kHz already (no float round trip on the per-chunk path), float32 otherwise
AudioTap = Callable[[Audio | NDArray[np.int16]], None]


@dataclass(frozen=True)
class HearingSettings:
    detector: DetectorSettings = field(default_factory=DetectorSettings)
    pre_roll_seconds: float = 0.3
    interim_every_seconds: float = 0.6
    barge_in_seconds: float = 0.4  # speech this long while the agent talks interrupts it
    max_utterance_seconds: float = 30.0
    # VoiceActivity for every chunk (the client asked for vad_score events): otherwise the
    # per-chunk delivery, ~5 % of a busy server's event loop, is skipped
    report_activity: bool = True


class Hearing:
    def __init__(
        self,
        vad: VADStream,
        stt: STT,
        listener: Listener,
        options: TranscribeOptions,
        settings: HearingSettings | None = None,
        *,
        input_format: AudioFormat | None = None,
        tap: AudioTap | None = None,
    ) -> None:
        self._vad = vad
        self._tap = tap
        self._stt = stt
        self._listener = listener
        self._options = options
        self._settings = settings or HearingSettings()
        self._detector = TurnDetector(self._settings.detector)
        self._decoder = InputDecoder(input_format or AudioFormat.parse("pcm_16000"))
        self._recent: deque[Audio] = deque()  # audio before speech, for the pre-roll
        self._recent_samples = 0
        self._pre_roll_samples = int(self._settings.pre_roll_seconds * SAMPLE_RATE)
        self._utterance: list[Audio] = []
        self._speaking = False
        self._speech_started_at: float | None = None  # None once reported as sustained
        self._next_interim_at = 0.0
        self._interim: asyncio.Task[None] | None = None
        self._speculative: asyncio.Task[Transcript | None] | None = None
        self._finishing: set[asyncio.Task[None]] = set()
        self._delivery = asyncio.Lock()  # results reach the listener one at a time, in order

    async def feed_encoded(self, data: bytes) -> None:
        """Hear raw audio bytes in the conversation's input format (already base64-decoded)."""
        samples = self._decoder.samples(data)
        audio = self._decoder.to_float(samples)
        if self._tap is not None:
            self._tap(audio if self._decoder.resamples else samples)
        await self._hear(audio)

    async def feed(self, audio: Audio) -> None:
        """Hear one chunk of 16 kHz float32 audio."""
        if self._tap is not None:
            self._tap(audio)
        await self._hear(audio)

    async def _hear(self, audio: Audio) -> None:
        scores = self._vad.process(audio)
        events = self._detector.feed(scores)
        self._keep(audio)
        if scores and self._settings.report_activity:
            await self._deliver(VoiceActivity(max(scores)))
        for event in events:
            await self._on(event)
        speaking = self._detector.state is SpeechState.SPEAKING  # not in a pause: the final
        if speaking and self._speaking and self._detector.now >= self._next_interim_at:
            self._request_interim()  # transcript and the speculative reply have the CPU then
        await self._check_sustained()

    async def _check_sustained(self) -> None:
        started = self._speech_started_at
        if started is None or self._detector.state is not SpeechState.SPEAKING:
            return
        if self._detector.now - started >= self._settings.barge_in_seconds:
            self._speech_started_at = None
            await self._deliver(SustainedSpeech())

    def _keep(self, audio: Audio) -> None:
        if self._speaking or self._detector.state is not SpeechState.QUIET:
            self._utterance.append(audio)
            return
        self._recent.append(audio)
        self._recent_samples += len(audio)
        while self._recent_samples - len(self._recent[0]) > self._pre_roll_samples:
            self._recent_samples -= len(self._recent.popleft())

    async def _on(self, event: SpeechEvent) -> None:
        match event:
            case SpeechStarted(at=at):
                self._speaking = True
                self._speech_started_at = at
                self._utterance = [*self._recent, *self._utterance]
                self._recent.clear()
                self._recent_samples = 0
                self._next_interim_at = self._detector.now + self._settings.interim_every_seconds
                await self._deliver(UserStartedSpeaking(at))
            case Paused():
                self._start_speculation()
            case Resumed():
                if self._drop_speculation():
                    await self._deliver(TurnContinued())
            case TurnEnded(speech_ended_at=ended, decided_at=decided):
                self._speech_started_at = None
                await self._finish_turn(ended, decided)

    def _audio(self) -> Audio:
        if not self._utterance:
            return np.zeros(0, dtype=np.float32)
        audio = np.concatenate(self._utterance)
        limit = int(self._settings.max_utterance_seconds * SAMPLE_RATE)
        return audio[-limit:]

    def _request_interim(self) -> None:
        self._next_interim_at = self._detector.now + self._settings.interim_every_seconds
        if self._interim is not None and not self._interim.done():
            return
        self._interim = asyncio.create_task(self._interim_transcript(self._audio()))

    async def _interim_transcript(self, audio: Audio) -> None:
        try:
            transcript = await self._stt.partial(audio, self._options)
        except Exception as error:  # an interim transcript is optional: carry on without it
            log.info("interim transcript failed (%s)", type(error).__name__)
            return
        if transcript is not None and transcript.text and self._speaking:
            await self._deliver(InterimTranscript(transcript.text))

    def _start_speculation(self) -> None:
        self._drop_speculation()
        self._speculative = asyncio.create_task(self._speculate(self._audio()))

    async def _speculate(self, audio: Audio) -> Transcript | None:
        """The transcript of a pause; announced while the turn might still go on."""
        transcript = await self._final(audio)
        if (
            transcript is not None
            and transcript.text
            and self._speculative is asyncio.current_task()
        ):
            text = transcript.text.strip()
            if sounds_finished(text):
                self._detector.sounds_complete()
            await self._deliver(TentativeTurn(text))
        return transcript

    def _drop_speculation(self) -> bool:
        """Forget the speculative transcript; whether there was one."""
        if self._speculative is None:
            return False
        self._speculative.cancel()
        self._speculative = None
        return True

    async def _final(self, audio: Audio) -> Transcript | None:
        try:
            return await self._stt.transcribe(audio, self._options)
        except Exception as error:  # the turn is dropped; the conversation goes on
            level = logging.WARNING if isinstance(error, STTError) else logging.ERROR
            log.log(level, "transcription failed; the user's turn is dropped", exc_info=True)
            return None

    async def _finish_turn(self, speech_ended_at: float, decided_at: float) -> None:
        """Deliver the turn once its transcript is ready, without holding up the audio."""
        speculative = self._speculative is not None
        transcribing = self._speculative or asyncio.create_task(self._final(self._audio()))
        self._speculative = None
        self._speaking = False
        self._utterance = []
        if self._interim is not None:
            self._interim.cancel()
        task = asyncio.create_task(
            self._deliver_turn(transcribing, speech_ended_at, decided_at, speculative)
        )
        self._finishing.add(task)
        task.add_done_callback(self._finishing.discard)

    async def _deliver_turn(
        self,
        transcribing: asyncio.Task[Transcript | None],
        speech_ended_at: float,
        decided_at: float,
        speculative: bool,
    ) -> None:
        transcript = await transcribing
        text = transcript.text.strip() if transcript is not None else ""
        await self._deliver(
            UserTurn(text, speech_ended_at, decided_at, speculative, self._detector.now)
        )

    async def _deliver(self, event: HeardEvent) -> None:
        async with self._delivery:
            await self._listener(event)

    async def close(self) -> None:
        tasks = [t for t in (self._interim, self._speculative, *self._finishing) if t is not None]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks)  # never raises: our own cancellation stays ours
        self._vad.close()
