"""Storing a conversation without making any turn wait for the database."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from parley.engine.transcript import ConversationRecorder, ConversationSnapshot

log = logging.getLogger(__name__)


class SnapshotWriter:
    """Writes the newest snapshot in the background, coalescing bursts of changes.

    ``changed()`` returns at once; a write in flight is never cancelled half-way (that would
    lose the record and can wedge the database driver); ``flush()`` writes the final state.
    """

    def __init__(
        self, recorder: ConversationRecorder, snapshot: Callable[[], ConversationSnapshot]
    ) -> None:
        self._recorder = recorder
        self._snapshot = snapshot
        self._dirty = False
        self._task: asyncio.Task[None] | None = None

    def changed(self) -> None:
        self._dirty = True
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain())

    async def _drain(self) -> None:
        while self._dirty:
            self._dirty = False
            await self._write()

    async def _write(self) -> None:
        try:
            await asyncio.shield(self._recorder.save(self._snapshot()))
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("could not store conversation %s", self._snapshot().conversation_id)

    async def flush(self) -> None:
        """Wait for the write in flight, then store the current state once more."""
        if self._task is not None:
            await asyncio.shield(self._task)
        self._dirty = False
        await self._write()
