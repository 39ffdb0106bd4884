"""The one owner of every task a call starts."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


class CallTasks:
    """Starts the call's tasks and, at the end, stops them all; once closed, it starts none.

    A long-lived object rather than an ``asyncio.TaskGroup``: the call's tasks come and go
    (turns, timers) and one failing must not cancel the others; a crash is logged here.
    """

    def __init__(self, name: str) -> None:
        self._name = name
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    def start(self, work: Coroutine[Any, Any, T]) -> asyncio.Task[T] | None:
        """Run ``work`` as one of the call's tasks; None (and ``work`` is dropped) once closed."""
        if self._closed:
            work.close()
            return None
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("a task of %s crashed", self._name, exc_info=task.exception())

    async def close(self) -> None:
        """Refuse new tasks, cancel the running ones (but the caller) and wait for them."""
        self._closed = True
        current = asyncio.current_task()
        tasks = [task for task in self._tasks if task is not current]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks)  # never raises: our own cancellation stays ours
