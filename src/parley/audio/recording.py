"""A conversation's recording: the user's and the agent's audio on one timeline.

Audio is written as it happens to two 16 kHz int16 tracks in anonymous temporary files, so a
long call costs disk, not memory; each piece lands at its place on the call's timeline (the
user's chunks one after another from when the first arrived, the agent's where the client
plays them). At the end the tracks are mixed and encoded, block by block, to mono FLAC with
PyAV (which comes with faster-whisper): lossless, and a tenth of the CPU time of MP3 (18-28
against 188 ms per minute of call here), which at the end of every call is what lets a busy
server keep its CPU for the calls still running. The platform serves recordings as MP3:
:func:`flac_to_mp3` encodes one when it is first asked for (see
``parley.conversations.recordings``).
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO, Any

import numpy as np
from numpy.typing import NDArray

from parley.audio.codec import Resampler, float32_to_pcm16

RATE = 16_000
BYTES_PER_SAMPLE = 2
FLAC = "audio/flac"  # how a call's recording is stored when the call ends
MP3 = "audio/mpeg"  # how it is served, as the platform serves it
MP3_BITRATE = 48_000
# LAME's algorithm quality (0 best and slowest, 9 fastest): 7 halves LAME's default CPU time
# (0.33 -> 0.18 s per minute of call here) at the same size; for a call recording of speech at
# 48 kbit/s the difference is not audible, and encoding is the costliest part of recording
LAME_QUALITY = 7
MIX_BLOCK_SAMPLES = RATE * 10  # mixed and encoded 10 s at a time
FLUSH_BYTES = RATE * BYTES_PER_SAMPLE  # contiguous audio is written a second at a time


class Track:
    """One voice's int16 samples, placed by sample position, in a temporary file.

    Audio that follows on from the previous write (the user's 32 ms chunks) is gathered in
    memory and written a second at a time: one file write per chunk was ~3 % of a busy
    server's event loop (benchmarks/load.py)."""

    def __init__(self) -> None:
        self._file: IO[bytes] | None = None  # created with the first audio
        self._position: int | None = None  # where the file's pointer is, in samples
        self._pending = bytearray()  # samples from _position on, not written yet
        self.samples = 0  # the end of the audio written so far

    @property
    def written(self) -> bool:
        return self._file is not None

    def write(self, at_sample: int, audio: NDArray[np.float32] | NDArray[np.int16]) -> None:
        """Place ``audio`` (float32 in [-1, 1], or int16) starting at ``at_sample`` (over
        anything already there)."""
        if audio.size == 0:
            return
        if self._file is None:
            self._file = tempfile.TemporaryFile()  # noqa: SIM115 - owned until close()
        start = max(0, at_sample)
        pending_end = None if self._position is None else self._position + self._pending_samples()
        if start != pending_end:
            self._flush()
            self._file.seek(start * BYTES_PER_SAMPLE)
            self._position = start
        pcm = (
            audio
            if audio.dtype == np.int16
            else float32_to_pcm16(audio.astype(np.float32, copy=False))
        )
        self._pending += pcm.tobytes()
        self.samples = max(self.samples, start + audio.size)
        if len(self._pending) >= FLUSH_BYTES:
            self._flush()

    def _pending_samples(self) -> int:
        return len(self._pending) // BYTES_PER_SAMPLE

    def _flush(self) -> None:
        if self._pending and self._file is not None and self._position is not None:
            self._file.write(self._pending)
            self._position += self._pending_samples()
            self._pending.clear()

    def truncate(self, at_sample: int) -> None:
        """Drop everything from ``at_sample`` on (audio the listener never heard)."""
        if self._file is not None and at_sample < self.samples:
            self._flush()
            self._file.truncate(max(0, at_sample) * BYTES_PER_SAMPLE)
            self.samples = max(0, at_sample)
            self._position = None

    def read(self, start: int, count: int) -> NDArray[np.int32]:
        """``count`` samples from ``start``; silence where nothing was written."""
        block = np.zeros(count, dtype=np.int32)
        if self._file is not None:
            self._flush()
            self._position = None
            self._file.seek(start * BYTES_PER_SAMPLE)
            data = np.frombuffer(self._file.read(count * BYTES_PER_SAMPLE), dtype=np.int16)
            block[: data.size] = data
        return block

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


class Recording:
    """The two tracks of one call. ``at`` arguments are seconds since the call began."""

    def __init__(self) -> None:
        self.user = Track()
        self.agent = Track()
        self._user_next: int | None = None  # where the user's next chunk goes
        self._agent_resamplers: dict[int, Resampler] = {}

    def add_user(self, at: float, audio: NDArray[np.float32] | NDArray[np.int16]) -> None:
        """A chunk of the user's 16 kHz audio (float32 or int16), which arrives as a
        continuous stream."""
        if self._user_next is None:
            self._user_next = round(at * RATE)
        self.user.write(self._user_next, audio)
        self._user_next += audio.size

    def add_agent(self, at: float, audio: NDArray[np.float32], sample_rate: int) -> None:
        """A chunk of the agent's speech (as the TTS made it) that starts playing at ``at``."""
        resampler = self._agent_resamplers.get(sample_rate)
        if resampler is None:
            resampler = self._agent_resamplers[sample_rate] = Resampler(sample_rate, RATE)
        self.agent.write(round(at * RATE), resampler.process(audio))

    def cut_agent(self, at: float) -> None:
        """The agent was interrupted at ``at``: what it would have said after is not kept."""
        self.agent.truncate(round(at * RATE))

    def encode_flac(self) -> bytes:
        """Mix both tracks and encode them losslessly (blocking: run it off the event loop)."""
        return _encode(self._mixed_blocks(), "flac", FLAC_OPTIONS)

    def _mixed_blocks(self) -> Iterator[NDArray[np.int16]]:
        length = max(self.user.samples, self.agent.samples)
        for start in range(0, length, MIX_BLOCK_SAMPLES):
            count = min(MIX_BLOCK_SAMPLES, length - start)
            mixed = self.user.read(start, count) + self.agent.read(start, count)
            yield np.clip(mixed, -32768, 32767).astype(np.int16)

    def close(self) -> None:
        self.user.close()
        self.agent.close()


# libavcodec's FLAC level 5 was as fast as level 0 here and 10 % smaller (1.1 MB per minute)
FLAC_OPTIONS = {"compression_level": "5"}
MP3_OPTIONS = {"compression_level": str(LAME_QUALITY)}


def flac_to_mp3(flac: bytes) -> bytes:
    """A stored recording as the platform serves it (blocking: run it off the event loop)."""
    av = _import_av()

    def blocks() -> Iterator[NDArray[np.int16]]:
        with av.open(io.BytesIO(flac)) as container:
            for frame in container.decode(audio=0):
                yield frame.to_ndarray().reshape(-1)

    return _encode(blocks(), "mp3", MP3_OPTIONS, bit_rate=MP3_BITRATE)


def _encode(
    blocks: Iterable[NDArray[np.int16]], codec: str, options: dict[str, str], bit_rate: int = 0
) -> bytes:
    """16 kHz mono int16 ``blocks`` in ``codec``'s own container."""
    av = _import_av()
    output = io.BytesIO()
    with av.open(output, mode="w", format=codec) as container:
        stream = container.add_stream(codec, rate=RATE, layout="mono")
        if bit_rate:
            stream.bit_rate = bit_rate
        stream.codec_context.options = options
        for pcm in blocks:
            frame = av.AudioFrame.from_ndarray(pcm[None, :], format="s16", layout="mono")
            frame.sample_rate = RATE
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return output.getvalue()


def _import_av() -> Any:
    try:
        import av
    except ImportError as exc:  # pragma: no cover - av comes with the voice extra
        raise RuntimeError("recording needs PyAV: pip install 'parley[local]'") from exc
    return av
