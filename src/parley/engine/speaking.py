"""Speaking one agent message: LLM text in, ``audio`` events out, clause by clause.

Text is cut into clauses as it streams (so the first audio does not wait for the whole
reply), each clause is synthesized while the previous one is being played, and every chunk
is encoded to the client's output format and sent with the message's ``event_id``. The
voice also estimates what the listener has *heard* so far (audio plays in real time from
the first chunk), which is what an interruption's ``agent_response_correction`` reports.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from parley.audio.codec import OutputEncoder, b64encode_audio
from parley.audio.formats import AudioFormat
from parley.clock import Clock
from parley.providers.tts.base import TTS
from parley.providers.tts.clauses import ClauseSplitter

log = logging.getLogger(__name__)

SendAudio = Callable[[str, int], Awaitable[None]]  # (base64 audio, event_id)
# (clock time it starts playing, samples as synthesized, their sample rate): the recording
RecordAudio = Callable[[float, NDArray[np.float32], int], None]

# The first audio of a reply starts after this many words even without punctuation: waiting
# for the first comma cost ~300 ms per reply with the 1.5B model, and two words instead of
# four saved another ~60 ms at the p50 (benchmarks/voice_latency).
FIRST_WORDS = 2
# A comma (or ; : —) after the first word is a natural place for the first audio to end:
# "Sure," is spoken one token sooner than "Sure, I".
FIRST_CLAUSE_MIN_CHARS = 2


@dataclass(frozen=True)
class VoiceSettings:
    voice_id: str
    speed: float
    output_format: str


@dataclass
class _Heard:
    clause: str
    ends_at: float  # clock time when its last sample has played


class AgentVoice:
    """Speaks one message; cancel the task that awaits :meth:`finish` to stop it at once."""

    def __init__(
        self,
        tts: TTS,
        settings: VoiceSettings,
        send: SendAudio,
        event_id: int,
        clock: Clock,
        record: RecordAudio | None = None,
    ) -> None:
        self._tts = tts
        self._record = record
        self._settings = settings
        self._send = send
        self.event_id = event_id
        self._clock = clock
        self._splitter = ClauseSplitter(
            first_words=FIRST_WORDS, first_min_chars=FIRST_CLAUSE_MIN_CHARS
        )
        self._clauses: asyncio.Queue[str | None] = asyncio.Queue()
        self._encoder: OutputEncoder | None = None
        self._playing_until = 0.0
        self._heard: list[_Heard] = []
        self.first_audio_at: float | None = None
        self._previous: AgentVoice | None = None
        self._worker = asyncio.create_task(self._speak())

    def say(self, delta: str) -> None:
        """More text of the message; complete clauses start synthesis right away."""
        for clause in self._splitter.push(delta):
            log.debug("message %d: clause queued: %r", self.event_id, clause)
            self._clauses.put_nowait(clause)

    def play_after(self, previous: AgentVoice) -> None:
        """Speak only after ``previous`` (a filler said while the LLM is slow) has sent all
        its audio, so the two never interleave, and count this one as playing after it."""
        self._previous = previous

    def end_text(self) -> None:
        """The text is complete (the rest is synthesized and sent in the background)."""
        for clause in self._splitter.flush():
            log.debug("message %d: last clause queued: %r", self.event_id, clause)
            self._clauses.put_nowait(clause)
        self._clauses.put_nowait(None)

    async def finish(self) -> None:
        """The text is complete: wait until all of it has been synthesized and sent."""
        self.end_text()
        await self._worker
        log.debug("message %d: all audio sent, plays until %.3f", self.event_id, self.plays_until)

    @property
    def plays_until(self) -> float:
        """Clock time when the audio sent so far will have finished playing."""
        return self._playing_until

    def heard_text(self) -> str:
        """The clauses the listener has heard completely by now."""
        now = self._clock.monotonic()
        return " ".join(h.clause for h in self._heard if h.ends_at <= now).strip()

    def stop(self) -> None:
        self._worker.cancel()

    async def _speak(self) -> None:
        """Synthesize clause by clause; a failing TTS silences the rest of this message only
        (its text is still sent as ``agent_response``), so the conversation goes on."""
        while (clause := await self._clauses.get()) is not None:
            await self._after_previous()
            try:
                await self._speak_clause(clause)
            except Exception:  # any engine failure: degrade to text, never end the call
                log.warning("speech synthesis failed; this reply goes on as text", exc_info=True)
                break
        if self._encoder is not None and (tail := self._encoder.flush()):
            await self._send(b64encode_audio(tail), self.event_id)  # the resampler's last samples

    async def _after_previous(self) -> None:
        previous, self._previous = self._previous, None
        if previous is not None:
            await asyncio.wait([previous._worker])  # never raises, even if it was stopped
            self._playing_until = max(self._playing_until, previous.plays_until)

    async def _speak_clause(self, clause: str) -> None:
        async for chunk in self._tts.synthesize(
            clause, self._settings.voice_id, self._settings.speed
        ):
            encoder = self._encoder_for(chunk.sample_rate)
            played = encoder.resample(chunk.samples)  # once, for the client and the recording
            audio = b64encode_audio(encoder.pack(played))
            starts_at = max(self._clock.monotonic(), self._playing_until)
            if audio:
                await self._send(audio, self.event_id)
            if self._record is not None:
                self._record(starts_at, played, encoder.format.sample_rate)
            self._played(chunk.duration)
            log.debug("message %d: %.2f s of audio sent", self.event_id, chunk.duration)
        self._heard.append(_Heard(clause, self._playing_until))

    def _encoder_for(self, sample_rate: int) -> OutputEncoder:
        if self._encoder is None:
            output = AudioFormat.parse(self._settings.output_format)
            self._encoder = OutputEncoder(sample_rate, output)
        return self._encoder

    def _played(self, seconds: float) -> None:
        now = self._clock.monotonic()
        if self.first_audio_at is None:
            self.first_audio_at = now
        self._playing_until = max(self._playing_until, now) + seconds
