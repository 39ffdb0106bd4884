"""A fake of the database the engine stores conversations in."""

from __future__ import annotations

from parley.engine.transcript import ConversationSnapshot, RecordedAudio


class MemoryRecorder:
    """Keeps every snapshot and recording in memory (``record=False``: keeps nothing, for
    benchmarks that run thousands of calls)."""

    def __init__(self, *, record: bool = True) -> None:
        self._record = record
        self.snapshots: list[ConversationSnapshot] = []
        self.audio: dict[str, RecordedAudio] = {}

    async def save(self, snapshot: ConversationSnapshot) -> None:
        if self._record:
            self.snapshots.append(snapshot)

    async def save_audio(self, conversation_id: str, audio: RecordedAudio) -> None:
        if self._record:
            self.audio[conversation_id] = audio

    @property
    def last(self) -> ConversationSnapshot:
        return self.snapshots[-1]
