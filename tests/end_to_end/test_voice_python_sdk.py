"""A voice conversation through the official Python SDK with every real embedded model:
Silero VAD, Whisper tiny.en, the local LLM and the default TTS voice.

A custom ``AudioInterface`` streams speech (espeak-ng) in real time, 250 ms per chunk as
the SDK recommends, and records the agent's audio.
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, cast

import httpx
import numpy as np
import pytest
from elevenlabs import ElevenLabs
from elevenlabs.conversational_ai.conversation import AudioInterface, Conversation

from parley.audio.codec import float32_to_pcm16
from tests.conftest import TEST_KEY
from tests.fakes.audio import espeak
from tests.human_speech import human_speech
from tests.servers import ServerProcess

pytestmark = pytest.mark.slow_model

CHUNK_SAMPLES = 4000  # 250 ms at 16 kHz


class SpeechInterface(AudioInterface):
    """Plays ``speech`` into the call after ``delay`` seconds, silence otherwise."""

    def __init__(self, speech: bytes, delay: float) -> None:
        self._speech = speech
        self._delay = delay
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.received = bytearray()
        self.first_output_after_speech: float | None = None
        self.speech_ended_at: float | None = None
        self.interruptions = 0

    def start(self, input_callback: Callable[[bytes], None]) -> None:
        self._thread = threading.Thread(target=self._feed, args=(input_callback,), daemon=True)
        self._thread.start()

    def _feed(self, send: Callable[[bytes], None]) -> None:
        silence = bytes(CHUNK_SAMPLES * 2)
        started = time.monotonic()
        pending = b""
        spoken = False
        while not self._stop.is_set():
            if not spoken and time.monotonic() - started >= self._delay:
                pending, spoken = self._speech, True
            chunk, pending = pending[: CHUNK_SAMPLES * 2], pending[CHUNK_SAMPLES * 2 :]
            if spoken and not pending and self.speech_ended_at is None and len(chunk) > 0:
                self.speech_ended_at = time.monotonic() + len(chunk) / 32000
            send(chunk.ljust(CHUNK_SAMPLES * 2, b"\0") if chunk else silence)
            self._stop.wait(0.25)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)

    def output(self, audio: bytes) -> None:
        self.received.extend(audio)
        now = time.monotonic()
        ended = self.speech_ended_at
        if ended is not None and now >= ended and self.first_output_after_speech is None:
            self.first_output_after_speech = now

    def interrupt(self) -> None:
        self.interruptions += 1


@pytest.fixture
def client(llm_server: ServerProcess) -> Iterator[ElevenLabs]:
    with httpx.Client(timeout=60) as connection:
        yield ElevenLabs(base_url=llm_server.base_url, api_key=TEST_KEY, httpx_client=connection)


@dataclass
class Call:
    transcripts: list[str]
    responses: list[str]
    audio: SpeechInterface
    conversation_id: str | None = None


def spoken_call(
    client: ElevenLabs, conversation_config: dict[str, Any], speech: np.ndarray, delay: float
) -> Call:
    """Create an agent, stream ``speech`` into a call after ``delay`` s, await the spoken answer."""
    agent = client.conversational_ai.agents.create(conversation_config=conversation_config)
    assert agent.agent_id is not None
    return spoken_call_to(client, agent.agent_id, speech, delay)


def spoken_call_to(client: ElevenLabs, agent_id: str, speech: np.ndarray, delay: float) -> Call:
    call = Call([], [], SpeechInterface(float32_to_pcm16(speech).tobytes(), delay=delay))
    conversation = Conversation(
        client,
        agent_id,
        requires_auth=False,
        audio_interface=call.audio,
        callback_user_transcript=call.transcripts.append,
        callback_agent_response=call.responses.append,
    )
    conversation.start_session()
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and (
        len(call.responses) < 2 or not call.audio.first_output_after_speech
    ):
        time.sleep(0.1)
    conversation.end_session()
    call.conversation_id = conversation.wait_for_session_end()
    return call


def recording(server: ServerProcess, conversation_id: str) -> tuple[dict[str, Any], bytes]:
    """The stored conversation (once it has its audio) and its recording."""
    headers = {"xi-api-key": TEST_KEY}
    url = f"{server.base_url}/v1/convai/conversations/{conversation_id}"
    deadline = time.monotonic() + 30
    stored = httpx.get(url, headers=headers, timeout=60).json()
    while not stored["has_audio"] and time.monotonic() < deadline:  # stored as the call closes
        time.sleep(0.2)
        stored = httpx.get(url, headers=headers, timeout=60).json()
    response = httpx.get(f"{url}/audio", headers=headers, timeout=60)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "audio/mpeg"
    return stored, response.content


def decode_mp3(data: bytes) -> np.ndarray:
    import av

    with av.open(io.BytesIO(data), mode="r") as container:
        frames = [frame.to_ndarray().reshape(-1) for frame in container.decode(audio=0)]
    return np.concatenate(frames)


def test_spoken_question_gets_a_transcript_an_answer_and_audio(
    client: ElevenLabs, llm_server: ServerProcess
) -> None:
    config = {
        "agent": {
            "first_message": "Hi.",
            "prompt": {"prompt": "You are an office assistant. Answer in one short sentence."},
        },
        "asr": {"user_input_audio_format": "pcm_16000"},
        "tts": {"agent_output_audio_format": "pcm_16000"},
    }
    call = spoken_call(client, config, espeak("Please send the invoice to my email address."), 2.0)

    assert call.responses[0] == "Hi."
    assert call.transcripts, "the question was heard"
    heard = call.transcripts[0].lower()
    assert "invoice" in heard
    assert "email" in heard
    assert len(call.responses) >= 2, "the agent answered"
    assert call.audio.first_output_after_speech is not None, "the answer was spoken"
    samples = np.frombuffer(bytes(call.audio.received), dtype=np.int16)
    assert samples.size > 16000 * 0.5, "at least half a second of agent audio"
    assert np.abs(samples).max() > 1000, "the agent audio is not silence"

    assert call.conversation_id is not None
    stored, mp3 = recording(llm_server, call.conversation_id)
    assert stored["has_user_audio"]
    assert stored["has_response_audio"]
    recorded = decode_mp3(mp3)
    assert recorded.size > 16000 * 3, "the call lasted more than the question"
    assert np.abs(recorded).max() > 0.03, "the recording is not silence"


def test_human_speech_is_heard(client: ElevenLabs) -> None:
    """A real recording of a human speaker, streamed in real time, is transcribed and answered."""
    config = {
        "agent": {
            "first_message": "Hello.",
            "prompt": {"prompt": "You are a friendly assistant. Answer in one short sentence."},
        },
        "turn": {"turn_eagerness": "patient"},
    }
    call = spoken_call(client, config, human_speech("clone-test"), 1.5)
    assert "america" in " ".join(call.transcripts).lower(), call.transcripts
    assert len(call.responses) >= 2
    assert call.audio.first_output_after_speech is not None


def test_no_recording_when_the_agent_says_so(client: ElevenLabs, llm_server: ServerProcess) -> None:
    config = {"agent": {"first_message": "Hello.", "prompt": {"prompt": "Answer briefly."}}}
    agent = client.conversational_ai.agents.create(
        conversation_config=config, platform_settings={"privacy": {"record_voice": False}}
    )
    assert agent.agent_id is not None
    call = spoken_call_to(client, agent.agent_id, human_speech("clone-test"), 1.0)
    assert call.conversation_id is not None
    url = f"{llm_server.base_url}/v1/convai/conversations/{call.conversation_id}"
    headers = {"xi-api-key": TEST_KEY}
    time.sleep(1.0)  # the call has closed; a recording would be stored by now
    stored = httpx.get(url, headers=headers, timeout=60).json()
    assert not stored["has_audio"]
    assert stored["transcript"], "the transcript is kept all the same"
    missing = httpx.get(f"{url}/audio", headers=headers, timeout=60)
    assert missing.status_code == 404
    assert missing.json()["detail"]["status"] == "conversation_audio_not_found"


def test_voices_endpoint_lists_the_installed_voices(llm_server: ServerProcess) -> None:
    response = httpx.get(
        f"{llm_server.base_url}/v1/voices", headers={"xi-api-key": TEST_KEY}, timeout=60
    )
    assert response.status_code == 200
    voices = {voice["voice_id"]: voice for voice in response.json()["voices"]}
    assert "joe" in voices
    assert voices["joe"]["labels"]["engine"] == "piper"


class ObservedConversation(Conversation):
    """The SDK's own conversation, unchanged, with every server event kept for the test."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.events: list[dict[str, Any]] = []

    def _handle_message(self, message: dict[str, Any], ws: Any) -> None:
        self.events.append(message)
        handle = cast(Callable[[dict[str, Any], Any], None], super()._handle_message)  # untyped
        handle(message, ws)


def test_barge_in_interrupts_the_agent_and_corrects_what_it_said(client: ElevenLabs) -> None:
    long_welcome = (
        "Welcome to the city library. We have books, films, music and a quiet reading room. "
        "We open at nine and close at five on weekdays, and on Saturdays we open at ten."
    )
    agent = client.conversational_ai.agents.create(
        conversation_config={
            "agent": {"first_message": long_welcome, "prompt": {"prompt": "Answer briefly."}},
            "conversation": {
                "client_events": [
                    "audio",
                    "interruption",
                    "agent_response",
                    "agent_response_correction",
                    "user_transcript",
                ]
            },
        }
    )
    assert agent.agent_id is not None
    corrections: list[tuple[str, str]] = []
    speech = float32_to_pcm16(human_speech("beckett")).tobytes()
    audio = SpeechInterface(speech, delay=2.5)  # cuts in while the welcome is still playing
    conversation = ObservedConversation(
        client,
        agent.agent_id,
        requires_auth=False,
        audio_interface=audio,
        callback_agent_response_correction=lambda old, new: corrections.append((old, new)),
    )
    conversation.start_session()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not corrections:
        time.sleep(0.1)
    time.sleep(1.0)  # anything stale would arrive right after the interruption
    conversation.end_session()
    conversation.wait_for_session_end()

    types = [event["type"] for event in conversation.events]
    assert "interruption" in types, types
    at = types.index("interruption")
    interrupted_id = conversation.events[at]["interruption_event"]["event_id"]
    welcome = next(e for e in conversation.events if e["type"] == "agent_response")
    assert interrupted_id == welcome["agent_response_event"]["event_id"]
    stale = [
        e
        for e in conversation.events[at:]
        if e["type"] == "audio" and e["audio_event"]["event_id"] <= interrupted_id
    ]
    assert stale == [], "no audio of the interrupted message after the interruption"
    assert audio.interruptions == 1, "the SDK stopped its playback"
    original, corrected = corrections[0]
    assert original == long_welcome
    assert long_welcome.startswith(corrected)
    assert len(corrected) < len(long_welcome), "only what was heard is kept"
