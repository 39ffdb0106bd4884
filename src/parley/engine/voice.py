"""The models a voice conversation uses, and how one conversation gets its ears and voice."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from parley.audio.formats import AudioFormat
from parley.clock import Clock
from parley.engine.hearing import AudioTap, Hearing, HearingSettings, Listener
from parley.engine.session import SessionConfig
from parley.engine.speaking import AgentVoice, RecordAudio, SendAudio, VoiceSettings
from parley.engine.turn_detection import DetectorSettings
from parley.providers.stt.base import STT, TranscribeOptions
from parley.providers.tts.base import TTS
from parley.providers.vad.base import VAD

log = logging.getLogger(__name__)

# Short acknowledgements that neither take the turn nor deserve an answer.
BACKCHANNELS = frozenset(
    {
        "",
        "uh-huh",
        "uh huh",
        "mhm",
        "mm",
        "mm-hmm",
        "hmm",
        "okay",
        "ok",
        "yeah",
        "yes",
        "right",
        "sure",
        "i see",
        "got it",
        "uh",
        "um",
        "ah",
        "oh",
    }
)


def is_backchannel(text: str) -> bool:
    """Whether ``text`` is only an acknowledgement ("uh-huh", "okay") or nothing at all."""
    words = re.sub(r"[^\w\s'-]", "", text.lower()).strip()
    return words in BACKCHANNELS


@dataclass(frozen=True)
class VoiceProviders:
    """Shared by every conversation; each conversation gets its own streams from them."""

    vad: VAD
    stt: STT
    tts: TTS
    default_voice_id: str

    def hearing(
        self, session: SessionConfig, listener: Listener, tap: AudioTap | None = None
    ) -> Hearing:
        asr = session.config.asr
        options = TranscribeOptions(
            keywords=tuple(asr.keywords or ()) if asr else (), language=session.language
        )
        settings = HearingSettings(
            detector=DetectorSettings.for_eagerness(session.turn.eagerness),
            report_activity="vad_score" in session.client_events,
        )
        return Hearing(
            self.vad.stream(),
            self.stt,
            listener,
            options,
            settings,
            input_format=AudioFormat.parse(session.input_format),
            tap=tap,
        )

    def agent_voice(
        self,
        settings: VoiceSettings,
        send: SendAudio,
        event_id: int,
        clock: Clock,
        record: RecordAudio | None = None,
    ) -> AgentVoice:
        return AgentVoice(self.tts, settings, send, event_id, clock, record)

    def voice_settings(self, session: SessionConfig) -> VoiceSettings:
        """The conversation's voice: ``tts.voice_id`` if installed, else the default one."""
        tts = session.config.tts
        wanted = tts.voice_id if tts and tts.voice_id else self.default_voice_id
        installed = {voice.voice_id for voice in self.tts.voices()}
        if wanted not in installed:
            log.info("voice %s is not installed; speaking with %s", wanted, self.default_voice_id)
            wanted = self.default_voice_id
        speed = tts.speed if tts and tts.speed else 1.0
        return VoiceSettings(wanted, speed, session.output_format)
