"""Speaking: streamed text becomes audio events clause by clause; what was heard is tracked."""

from __future__ import annotations

import base64

from parley.engine.speaking import AgentVoice, VoiceSettings
from tests.fakes.tts import FakeTTS
from tests.virtual_clock import VirtualClock, settle


class Mouth:
    def __init__(self, tts: FakeTTS, clock: VirtualClock, output_format: str = "pcm_16000") -> None:
        self.sent: list[tuple[bytes, int]] = []
        self.voice = AgentVoice(
            tts, VoiceSettings("fake", 1.0, output_format), self._send, event_id=7, clock=clock
        )

    async def _send(self, audio: str, event_id: int) -> None:
        self.sent.append((base64.b64decode(audio), event_id))


async def test_first_clause_is_spoken_before_the_text_is_complete() -> None:
    clock = VirtualClock()
    tts = FakeTTS(clock=clock)
    mouth = Mouth(tts, clock)
    mouth.voice.say("Sure, I can book that for you. ")
    await settle()
    # the first audio ends at the first comma, however short: "Sure," is spoken at once
    assert [r.text for r in tts.requests] == ["Sure,", "I can book that for you."]
    assert mouth.sent, "audio went out while the LLM was still writing"
    mouth.voice.say("Which time works best?")
    await mouth.voice.finish()
    assert [r.text for r in tts.requests][-1] == "Which time works best?"
    assert {event_id for _, event_id in mouth.sent} == {7}


async def test_audio_is_encoded_in_the_clients_format() -> None:
    clock = VirtualClock()
    for output, bytes_per_second in (
        ("pcm_16000", 32000),
        ("pcm_8000", 16000),
        ("ulaw_8000", 8000),
    ):
        mouth = Mouth(FakeTTS(clock=clock, seconds_per_char=0.05), clock, output)
        mouth.voice.say("Twenty-one characters")  # one clause: 21 chars of fake audio
        await mouth.voice.finish()
        total = sum(len(audio) for audio, _ in mouth.sent)
        assert abs(total / bytes_per_second - 21 * 0.05) < 0.05, output


async def test_heard_text_follows_real_time_playback() -> None:
    clock = VirtualClock()
    mouth = Mouth(FakeTTS(clock=clock, seconds_per_char=0.1), clock)
    mouth.voice.say("First sentence here. Second sentence now.")
    await mouth.voice.finish()
    assert mouth.voice.heard_text() == ""
    await clock.advance(2.1)  # "First sentence here." is 20 chars = 2 s of audio
    assert mouth.voice.heard_text() == "First sentence here."
    await clock.advance(5)
    assert mouth.voice.heard_text() == "First sentence here. Second sentence now."


async def test_stop_cancels_synthesis_at_once() -> None:
    clock = VirtualClock()
    tts = FakeTTS(clock=clock, latency=1.0)
    mouth = Mouth(tts, clock)
    mouth.voice.say("One clause that is long enough. Another clause follows here.")
    await settle()
    mouth.voice.stop()
    await clock.advance(5)
    assert mouth.sent == []
