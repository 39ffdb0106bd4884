"""The user's audio as it arrives on the socket: decoded from base64 and held to real time.

This is the edge's job, not the engine's: the engine hears bytes in the agent's input format.
Audio is real-time: a client may run ahead of the clock by ``burst_seconds`` (a backlog after
a network hiccup), but a flood beyond that ends the call, so what one client sends can never
queue up unbounded work.
"""

from __future__ import annotations

from parley.audio.codec import b64decode_audio
from parley.audio.formats import AudioFormat, InvalidAudioChunkError
from parley.clock import Clock
from parley.engine.errors import ConversationError
from parley.ratelimit import TokenBucket

# Chunks a client sends before ``conversation_initiation_client_data`` (the platform hears
# them) wait for the start, up to this much base64 text (~30 s of pcm_16000); more ends the call.
MAX_EARLY_AUDIO_CHARS = 1_400_000


class AudioIntake:
    def __init__(self, input_format: str, burst_seconds: float, clock: Clock) -> None:
        self._burst_seconds = burst_seconds
        self._budget = TokenBucket(1.0, burst_seconds, clock)
        # checked on every chunk, so worked out once
        self._seconds_per_byte = AudioFormat.parse(input_format).duration_s(1)

    def take(self, chunk: str) -> bytes:
        """The chunk's audio bytes; raises :class:`ConversationError` (1008) for a chunk
        that is not base64, or for audio arriving faster than real time."""
        try:
            data = b64decode_audio(chunk)
        except InvalidAudioChunkError as error:
            raise ConversationError("invalid_message", f"user_audio_chunk: {error}") from None
        if not self._budget.take(len(data) * self._seconds_per_byte):
            raise ConversationError(
                "invalid_message",
                "user_audio_chunk: audio arrives faster than real time "
                f"(more than {self._burst_seconds:g} s ahead)",
            )
        return data


class EarlyAudio:
    """Audio chunks that came before the conversation started, heard once it has."""

    def __init__(self) -> None:
        self.chunks: list[str] = []
        self._chars = 0

    def add(self, chunk: str) -> None:
        self._chars += len(chunk)
        if self._chars > MAX_EARLY_AUDIO_CHARS:
            raise ConversationError(
                "invalid_message",
                "user_audio_chunk: too much audio before conversation_initiation_client_data "
                f"(over {MAX_EARLY_AUDIO_CHARS} characters of base64)",
            )
        self.chunks.append(chunk)
