"""Call recordings: tracks placed on the call's timeline, cut at interruptions, mixed, stored
losslessly (FLAC) and served as MP3."""

from __future__ import annotations

import io

import av
import numpy as np
from fastapi.testclient import TestClient

from parley.audio.codec import float32_to_pcm16
from parley.audio.recording import FLAC, MP3, RATE, Recording, flac_to_mp3
from parley.engine.transcript import RecordedAudio
from parley.storage.conversations import StoredAudio
from tests.conftest import services_of
from tests.fakes.audio import tone


def decode(encoded: bytes) -> tuple[str, np.ndarray]:
    """The container's format name and its audio as one array."""
    with av.open(io.BytesIO(encoded), mode="r") as container:
        samples = [f.to_ndarray().reshape(-1) for f in container.decode(audio=0)]
        return container.format.name, np.concatenate(samples)


def test_user_audio_is_one_stream_from_its_first_chunk() -> None:
    recording = Recording()
    recording.add_user(0.5, tone(1.0))
    recording.add_user(7.0, tone(1.0))  # later chunks follow on, whatever the clock says
    assert recording.user.samples == round(2.5 * RATE)
    assert not recording.user.read(0, RATE // 2).any(), "silence before the user's first chunk"
    recording.close()


def test_agent_audio_lands_where_it_plays_and_is_cut_at_an_interruption() -> None:
    recording = Recording()
    recording.add_agent(1.0, tone(2.0, freq=300), 16000)
    recording.add_agent(2.0, tone(1.0, freq=300, amp=0.1), 22050)  # resampled to 16 kHz
    recording.cut_agent(2.5)
    assert recording.agent.samples == round(2.5 * RATE)
    assert not recording.agent.read(0, RATE).any()
    assert recording.agent.read(RATE, RATE).any()
    recording.close()


def test_the_mix_is_stored_losslessly_and_served_as_mp3_of_the_whole_call() -> None:
    recording = Recording()
    recording.add_user(0.0, tone(3.0, freq=200))
    recording.add_agent(4.0, tone(2.0, freq=500), 16000)
    mixed = recording.user.read(0, 6 * RATE) + recording.agent.read(0, 6 * RATE)
    flac = recording.encode_flac()
    recording.close()
    container, stored = decode(flac)
    assert container == "flac"
    assert np.array_equal(stored, np.clip(mixed, -32768, 32767).astype(np.int16)), "lossless"
    container, audio = decode(flac_to_mp3(flac))
    assert container == "mp3"
    assert abs(audio.size / RATE - 6.0) < 0.1
    seconds = [np.abs(audio[i * RATE : (i + 1) * RATE]).max() for i in range(6)]
    assert all(level > 0.1 for level in seconds[:3]), "the user speaks first"
    assert seconds[3] < 0.02, "then a second of silence"
    assert all(level > 0.1 for level in seconds[4:]), "then the agent"


def test_small_chunks_are_gathered_and_read_back_exactly() -> None:
    track = Recording().user
    chunks = [np.full(512, i / 200, dtype=np.float32) for i in range(100)]  # 3.2 s, 32 ms each
    for index, chunk in enumerate(chunks):
        track.write(index * 512, chunk)
    track.write(10 * 512, np.zeros(512, dtype=np.float32))  # over audio written before
    expected = np.concatenate(chunks)
    expected[10 * 512 : 11 * 512] = 0
    assert track.samples == expected.size
    read = track.read(0, expected.size + 100)
    assert np.array_equal(read[: expected.size], float32_to_pcm16(expected))
    assert not read[expected.size :].any(), "silence after the end"
    track.write(expected.size, chunks[1])  # follows on after a read
    track.truncate(expected.size + 256)
    assert track.samples == expected.size + 256
    assert track.read(expected.size, 512)[:256].all()
    track.close()


def test_int16_chunks_are_written_as_they_are() -> None:
    """The user's 16 kHz PCM is recorded from the client's own samples, bit for bit."""
    recording = Recording()
    chunks = [np.full(512, i * 100 - 3000, dtype=np.int16) for i in range(40)]
    for chunk in chunks:
        recording.add_user(0.0, chunk)
    expected = np.concatenate(chunks)
    assert np.array_equal(recording.user.read(0, expected.size), expected)
    recording.close()


def test_the_first_request_encodes_the_mp3_and_keeps_it(client: TestClient) -> None:
    """A stored FLAC recording is served as MP3; the MP3 then replaces it in storage."""
    recording = Recording()
    recording.add_user(0.0, tone(2.0, freq=200))
    flac = recording.encode_flac()
    recording.close()
    store = services_of(client).conversation_store
    assert client.portal is not None

    async def stored_call() -> StoredAudio | None:
        assert await store.claim("conv_recorded", "agent_recorded")
        await store.save_audio("conv_recorded", RecordedAudio(flac, FLAC, True, False))
        return await store.audio("conv_recorded")

    assert client.portal.call(stored_call) == StoredAudio(flac, FLAC)
    url = "/v1/convai/conversations/conv_recorded/audio"
    first = client.get(url)
    assert first.status_code == 200
    assert first.headers["content-type"] == "audio/mpeg"
    container, audio = decode(first.content)
    assert container == "mp3"
    assert abs(audio.size / RATE - 2.0) < 0.1
    assert client.portal.call(store.audio, "conv_recorded") == StoredAudio(first.content, MP3)
    assert client.get(url).content == first.content, "served from storage from then on"
