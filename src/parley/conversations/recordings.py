"""Serving a call's recording as the platform does (MP3), from what the call stored."""

from __future__ import annotations

import asyncio

from parley.audio.recording import MP3, flac_to_mp3
from parley.storage.conversations import ConversationStore, StoredAudio


async def recording_as_mp3(store: ConversationStore, conversation_id: str) -> bytes | None:
    """The conversation's recording as MP3, or None if it has none.

    Calls store their audio as FLAC (cheap to encode while other calls run); the first request
    encodes the MP3 in a worker thread and keeps it in place of the FLAC, so each recording is
    encoded at most once, and only if someone listens to it. Two first requests at once both
    encode; the second store is a no-op."""
    stored = await store.audio(conversation_id)
    if stored is None:
        return None
    if stored.content_type == MP3:
        return stored.data
    mp3 = await asyncio.to_thread(flac_to_mp3, stored.data)
    await store.replace_audio(conversation_id, stored.content_type, StoredAudio(mp3, MP3))
    return mp3
