"""What a call leaves behind: its transcript, the snapshots stored as it goes, its audio."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from parley.audio.recording import FLAC, Recording
from parley.clock import Clock
from parley.engine.persistence import SnapshotWriter
from parley.engine.transcript import (
    ConversationRecorder,
    ConversationSnapshot,
    RecordedAudio,
    Status,
    TranscriptEntry,
)
from parley.engine.view import AgentView

log = logging.getLogger(__name__)


class CallRecord:
    """The transcript and status of one call, stored in the background after each change,
    and its recording (``privacy.record_voice``), stored once at the end."""

    def __init__(
        self,
        view: AgentView,
        clock: Clock,
        recorder: ConversationRecorder,
        variables: Mapping[str, Any],
        record_audio: bool,
    ) -> None:
        self._view = view
        self._clock = clock
        self._recorder = recorder
        self._variables = variables  # the conversation's live values (tools assign them)
        self.entries: list[TranscriptEntry] = []
        self.status: Status = "initiated"
        self.termination_reason: str | None = None
        self.started_at = clock.now()
        self.started_monotonic = clock.monotonic()
        self._writer = SnapshotWriter(recorder, self.snapshot, clock)
        self.recording = Recording() if record_audio else None

    def seconds_in_call(self) -> int:
        return int(self._clock.monotonic() - self.started_monotonic)

    async def add(self, entry: TranscriptEntry) -> None:
        self.entries.append(entry)
        self.changed()

    async def save(self) -> None:
        """Have the current state stored; returns at once (see :class:`SnapshotWriter`)."""
        self.changed()

    def changed(self) -> None:
        self._writer.changed()

    def ended(self, reason: str, status: Status) -> None:
        self.termination_reason = reason
        self.status = status
        self.changed()

    def snapshot(self) -> ConversationSnapshot:
        return ConversationSnapshot(
            conversation_id=self._view.conversation_id,
            agent_id=self._view.agent_id,
            status=self.status,
            started_at=self.started_at,
            duration_secs=self.seconds_in_call(),
            transcript=[entry.to_json() for entry in self.entries],
            termination_reason=self.termination_reason,
            user_id=self._view.user_id,
            dynamic_variables=dict(self._variables),
        )

    # ------------------------------------------------------------------ audio

    def user_audio(self, audio: NDArray[np.float32] | NDArray[np.int16]) -> None:
        assert self.recording is not None
        self.recording.add_user(self._clock.monotonic() - self.started_monotonic, audio)

    def agent_audio(self, at: float, audio: NDArray[np.float32], sample_rate: int) -> None:
        assert self.recording is not None
        self.recording.add_agent(at - self.started_monotonic, audio, sample_rate)

    def agent_cut(self) -> None:
        """The client dropped the agent audio it had not played yet (a barge-in)."""
        if self.recording is not None:
            self.recording.cut_agent(self._clock.monotonic() - self.started_monotonic)

    async def close(self) -> None:
        """Store the final state, then the recording."""
        await self._writer.flush()
        await self._store_recording()

    async def _store_recording(self) -> None:
        recording, self.recording = self.recording, None
        if recording is None:
            return
        try:
            if recording.user.written or recording.agent.written:
                flac = await asyncio.to_thread(recording.encode_flac)
                audio = RecordedAudio(flac, FLAC, recording.user.written, recording.agent.written)
                await self._recorder.save_audio(self._view.conversation_id, audio)
        except Exception:  # the transcript is stored already; a lost recording is logged
            log.exception("could not store the audio of %s", self._view.conversation_id)
        finally:
            recording.close()
