"""How one conversation gets its ears and voice from the shared speech models."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from parley.audio.formats import AudioFormat
from parley.clock import Clock
from parley.engine.hearing import AudioTap, Hearing, HearingSettings, Listener
from parley.engine.outbox import Outbox
from parley.engine.speaking import AgentVoice, RecordAudio, VoiceSettings
from parley.engine.turn_detection import DetectorSettings
from parley.engine.view import AgentView
from parley.providers.stt.base import TranscribeOptions
from parley.providers.voice import VoiceProviders
from parley.schemas import events as ev

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


def open_hearing(
    providers: VoiceProviders, view: AgentView, listener: Listener, tap: AudioTap | None = None
) -> Hearing:
    """The conversation's ears: its own VAD stream, on the shared STT."""
    options = TranscribeOptions(keywords=view.asr_keywords, language=view.language)
    settings = HearingSettings(
        detector=DetectorSettings.for_eagerness(view.turn.eagerness),
        report_activity="vad_score" in view.client_events,
    )
    return Hearing(
        providers.vad.stream(),
        providers.stt,
        listener,
        options,
        settings,
        input_format=AudioFormat.parse(view.input_format),
        tap=tap,
    )


def voice_settings(providers: VoiceProviders, view: AgentView) -> VoiceSettings:
    """The conversation's voice: ``tts.voice_id`` if installed, else the default one."""
    wanted = view.voice_id or providers.default_voice_id
    installed = {voice.voice_id for voice in providers.tts.voices()}
    if wanted not in installed:
        log.info("voice %s is not installed; speaking with %s", wanted, providers.default_voice_id)
        wanted = providers.default_voice_id
    return VoiceSettings(wanted, view.voice_speed, view.output_format)


def speaker(
    providers: VoiceProviders,
    view: AgentView,
    outbox: Outbox,
    clock: Clock,
    record: RecordAudio | None,
) -> Callable[[int], AgentVoice]:
    """How a turn gets a voice for each of its messages (by event id)."""
    settings = voice_settings(providers, view)

    async def send(audio: str, event_id: int) -> None:
        await outbox.send(
            ev.Audio(audio_event=ev.AudioBody(audio_base_64=audio, event_id=event_id))
        )

    def speak(event_id: int) -> AgentVoice:
        return AgentVoice(providers.tts, settings, send, event_id, clock, record)

    return speak
