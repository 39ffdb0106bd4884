"""Storing a conversation without making any turn wait for the database."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from parley.clock import Clock
from parley.engine.transcript import ConversationRecorder, ConversationSnapshot

log = logging.getLogger(__name__)

# Pauses between attempts while the database is unavailable (the last one repeats): short at
# first, since most outages are a restart or a failover of a few seconds.
RETRY_DELAYS = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0)
# Attempts at the final write once the conversation is over (about 30 s in all), after which
# the server gives up on it rather than hang its shutdown on a database that is gone.
FINAL_ATTEMPTS = 10


class SnapshotWriter:
    """Writes the newest snapshot in the background, coalescing bursts of changes.

    ``changed()`` returns at once; a write in flight is never cancelled half-way (that would
    lose the record and can wedge the database driver). A failed write is retried after a
    pause with the snapshot of that moment, so a database that is briefly unavailable loses
    nothing: every retry stores everything said so far. ``flush()`` writes the final state.
    """

    def __init__(
        self,
        recorder: ConversationRecorder,
        snapshot: Callable[[], ConversationSnapshot],
        clock: Clock,
    ) -> None:
        self._recorder = recorder
        self._snapshot = snapshot
        self._clock = clock
        self._dirty = False
        self._closing = False
        self._task: asyncio.Task[None] | None = None

    def changed(self) -> None:
        self._dirty = True
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain())

    async def _drain(self) -> None:
        failures = 0
        while self._dirty:
            self._dirty = False
            if await self._write(failures):
                failures = 0
                continue
            self._dirty = True  # still not stored: try again with whatever is newest then
            failures += 1
            if self._closing and failures >= FINAL_ATTEMPTS:
                log.error(
                    "gave up storing conversation %s after %d attempts",
                    self._snapshot().conversation_id,
                    failures,
                )
                return
            await self._clock.sleep(RETRY_DELAYS[min(failures, len(RETRY_DELAYS)) - 1])

    async def _write(self, failures: int) -> bool:
        snapshot = self._snapshot()
        try:
            await asyncio.shield(self._recorder.save(snapshot))
        except asyncio.CancelledError:
            raise
        except Exception as error:
            # Only the error's type at warning level: a driver's message can quote the
            # statement's parameters, which hold the transcript.
            if failures == 0:  # one line per outage, not one per retry
                log.warning(
                    "could not store conversation %s (%s); retrying",
                    snapshot.conversation_id,
                    type(error).__name__,
                )
            log.debug("storing %s failed", snapshot.conversation_id, exc_info=True)
            return False
        if failures:
            log.info("stored conversation %s again", snapshot.conversation_id)
        return True

    async def flush(self) -> None:
        """Store the final state: after the writes in flight (and their retries), once more."""
        self._closing = True
        self._dirty = True
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain())
        await asyncio.shield(self._task)
