"""The agent's turns in one call: at most one runs at a time, each as one of the call's
tasks; a turn whose model fails is followed by a spoken apology, then the call's error."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from parley.engine.endings import error_for
from parley.engine.errors import ConversationError
from parley.engine.phases import Phases
from parley.engine.tasks import CallTasks
from parley.engine.transcript import TurnTimings
from parley.engine.turn import AgentMessage, AgentTurn, TurnContext, TurnOutcome
from parley.providers.llm.base import LLMEmptyReplyError, LLMError

log = logging.getLogger(__name__)

# Said (and spoken, in a voice call) when no model can answer, before the call ends with the
# spec's error: the user hears why the agent went quiet instead of a dead line.
APOLOGY = (
    "I'm sorry, I'm having technical trouble and can't answer right now. Please call back later."
)


class AgentTurns:
    def __init__(
        self,
        name: str,
        phases: Phases,
        tasks: CallTasks,
        context: Callable[[TurnTimings | None], TurnContext],
        finished: Callable[[TurnOutcome], Awaitable[None]],
        failed: Callable[[ConversationError], Awaitable[None]],
    ) -> None:
        """``finished`` hears how each turn ended; ``failed`` ends the call on an error."""
        self._name = name
        self._phases = phases
        self._tasks = tasks
        self._context = context
        self._finished = finished
        self._failed = failed
        self.current: AgentTurn | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(
        self,
        instruction: str | None = None,
        *,
        scripted: str | None = None,
        uninterruptible: bool = False,
        timings: TurnTimings | None = None,
        remembered: bool = True,
    ) -> None:
        turn = AgentTurn(
            self._context(timings),
            instruction,
            scripted=scripted,
            uninterruptible=uninterruptible,
            remembered=remembered,
        )
        self.current, self._task = turn, self._tasks.start(self._run(turn))

    def cancel(self) -> None:
        """Stop the running turn now (the call ended: the model is freed at once)."""
        if self._task is not None and self._task is not asyncio.current_task():
            self._task.cancel()

    async def stop(self) -> tuple[AgentTurn, AgentMessage | None] | None:
        """Stop the running turn and wait for it; what it was saying when it stopped."""
        task, turn = self._task, self.current
        if task is None or turn is None:
            return None
        speaking = turn.speaking
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        self._task = self.current = None
        return turn, speaking

    async def _run(self, turn: AgentTurn) -> None:
        try:
            outcome = await turn.run()
            log.debug("turn ended: %s", outcome.value)
        except LLMEmptyReplyError:
            log.warning("the LLM had nothing to say in %s", self._name)
            outcome = TurnOutcome.COMPLETED
        except Exception as error:  # a failed model or a bug ends this call cleanly
            if isinstance(error, LLMError):
                await self._apologise()
            elif not isinstance(error, ConversationError):
                log.exception("agent turn crashed in %s", self._name)
            await self._failed(error_for(error))
            return
        await self._finished(outcome)

    async def _apologise(self) -> None:
        """No model could answer (the backups included): say so before the call ends."""
        if not self._phases.open:
            return
        log.warning("no LLM could answer in %s; apologising", self._name)
        self.current = AgentTurn(self._context(None), scripted=APOLOGY, uninterruptible=True)
        try:
            await self.current.run()
        except Exception:  # the error that follows must still reach the client
            log.exception("the apology failed in %s", self._name)
