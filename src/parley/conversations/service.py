"""Opening conversations: who may connect, with which config, on which model."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from parley.agents.liveness import ignored_by
from parley.agents.view import resolve_agent
from parley.clock import Clock
from parley.conversations.access import Caller, CallLimits, DailyStarts, origin_refusal
from parley.engine.conversation import Conversation, EngineOptions
from parley.engine.endings import CloseCode
from parley.engine.errors import ConversationError
from parley.engine.outbox import Emit
from parley.ids import IdFactory
from parley.providers.llm.base import LLM, LLMError
from parley.providers.llm.router import LLMRouter
from parley.providers.timings import CallTimings, TimedLLM, timed_voice
from parley.providers.voice import VoiceProviders
from parley.ratelimit import KeyedBuckets
from parley.schemas.events import ConversationInitiationClientData
from parley.signing import ConversationTokens, TokenError
from parley.storage.agents import AgentStore, StoredAgent
from parley.storage.conversations import ConversationStore

log = logging.getLogger(__name__)

# Connections refused while the server shuts down: clients should try again shortly.
SHUTTING_DOWN = CloseCode.SERVICE_RESTART
# A connection that cannot be admitted because the storage failed.
TRY_AGAIN_LATER = CloseCode.TRY_AGAIN_LATER


class AdmissionRefusedError(Exception):
    """The connection may not start a conversation; ``reason`` is sent as the close reason."""

    def __init__(self, reason: str, code: int = CloseCode.POLICY_VIOLATION) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


@dataclass(frozen=True)
class Admission:
    """A connection that may talk to ``agent``, as ``conversation_id``."""

    agent: StoredAgent
    conversation_id: str


@dataclass(frozen=True)
class AdmissionLimits:
    """Server-wide admission limits (the ``PARLEY_*`` settings of the same names)."""

    max_conversations: int = 1000
    public_rate_per_minute: float = 60.0  # 0: no per-address limit
    public_rate_burst: int = 20


SIGNED_URL_USED = "this signed URL was already used; request a new one"


def _log_ignored(admission: Admission) -> None:
    """Say once per call which of its agent's settings Parley stores but does not act on."""
    ignored = ignored_by(admission.agent)
    if ignored:
        log.warning(
            "conversation %s: agent %s sets what Parley does not act on "
            "(docs/config-liveness.md): %s",
            admission.conversation_id,
            admission.agent.agent_id,
            ", ".join(item.path for item in ignored),
        )


@dataclass(frozen=True)
class ConversationModels:
    """Where each conversation gets its models."""

    router: LLMRouter  # the agent's LLM chain
    voice: Callable[[], Awaitable[VoiceProviders | None]] | None = None  # None: voice is off
    llm_override: LLM | None = None  # tests and benchmarks: one scripted LLM for every call


class ConversationService:
    def __init__(
        self,
        agents: AgentStore,
        conversations: ConversationStore,
        tokens: ConversationTokens,
        models: ConversationModels,
        clock: Clock,
        ids: IdFactory,
        options: EngineOptions,
        limits: AdmissionLimits | None = None,
    ) -> None:
        self._agents = agents
        self._conversations = conversations
        self._tokens = tokens
        self._router = models.router
        self._clock = clock
        self._ids = ids
        self._options = options
        self._llm_override = models.llm_override
        self._voice = models.voice
        self._closing: set[asyncio.Task[None]] = set()
        self._limits = limits or AdmissionLimits()
        rate = self._limits.public_rate_per_minute / 60
        self._public_rate = (
            KeyedBuckets(rate, self._limits.public_rate_burst, clock) if rate > 0 else None
        )
        self._active: dict[str, str] = {}  # conversation id -> agent id, admitted until released
        self._daily = DailyStarts(conversations.count_started_since, clock)
        self._accepting = True
        self._live: set[Conversation] = set()
        self._connections = 0
        self._no_connections = asyncio.Event()
        self._no_connections.set()

    @property
    def active_count(self) -> int:
        return len(self._active)

    @contextlib.asynccontextmanager
    async def connection(self) -> AsyncIterator[None]:
        """Hold one conversation socket from accept to close; :meth:`wind_down` waits for
        every one of them, so none is cut before its final events and close frame are sent."""
        self._connections += 1
        self._no_connections.clear()
        try:
            yield
        finally:
            self._connections -= 1
            if self._connections == 0:
                self._no_connections.set()

    async def wind_down(self, grace_seconds: float, close_timeout: float = 10.0) -> None:
        """Graceful shutdown: refuse new conversations, give the live ones ``grace_seconds``
        to end by themselves, then end the rest (close 1001) and wait until every one is
        stored and its socket closed."""
        self._accepting = False
        live = list(self._live)
        log.info("shutting down: waiting up to %g s for %d calls", grace_seconds, len(live))
        if live:
            ended = [asyncio.ensure_future(c.ended.wait()) for c in live]
            grace = asyncio.ensure_future(self._clock.sleep(grace_seconds))
            everyone = asyncio.ensure_future(asyncio.wait(ended))
            await asyncio.wait([everyone, grace], return_when=asyncio.FIRST_COMPLETED)
            for waiter in (*ended, everyone, grace):
                waiter.cancel()
        remaining = list(self._live)
        if remaining:
            log.warning("ending %d calls still running after the grace period", len(remaining))
        for conversation in remaining:
            await conversation.end_for_shutdown(
                f"server shutting down (calls get {grace_seconds:g} s to finish)"
            )
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(close_timeout):
                await self._no_connections.wait()
        await self.drain()

    def signed_url_token(
        self, agent_id: str, include_conversation_id: bool
    ) -> tuple[str, str | None]:
        conversation_id = self._ids.new("conv") if include_conversation_id else None
        return self._tokens.issue(agent_id, conversation_id), conversation_id

    async def admit(
        self, agent_id: str | None, token: str | None, caller: Caller | None = None
    ) -> Admission:
        """Check the agent exists, the caller may talk to it and the limits allow one more.

        The caller must :meth:`release` every admission it got, however the call ends.
        """
        caller = caller or Caller()
        if not self._accepting:
            raise AdmissionRefusedError(
                "the server is shutting down; try again shortly", SHUTTING_DOWN
            )
        if not agent_id:
            raise AdmissionRefusedError("agent_id query parameter is required")
        if "\x00" in agent_id:  # no agent has one, and the database could not look it up
            raise AdmissionRefusedError("agent_id may not contain the NUL character")
        try:
            return await self._admit(agent_id, token, caller)
        except AdmissionRefusedError:
            raise
        except Exception as error:  # the database is unavailable or overloaded
            log.warning("could not admit a call to %s (%s)", agent_id, type(error).__name__)
            raise AdmissionRefusedError(
                "the server cannot start a conversation right now; try again shortly",
                TRY_AGAIN_LATER,
            ) from error

    async def _admit(self, agent_id: str, token: str | None, caller: Caller) -> Admission:
        agent = await self._agents.get(agent_id)
        if agent is None:
            raise AdmissionRefusedError(f"agent {agent_id} does not exist")
        auth = agent.platform_settings.get("auth") or {}
        refusal = origin_refusal(auth, caller.origin)
        if refusal:
            raise AdmissionRefusedError(refusal)
        conversation_id = None
        if token:
            try:
                claims = self._tokens.verify(token, agent_id)
            except TokenError as error:
                raise AdmissionRefusedError(str(error)) from error
            conversation_id = claims.conversation_id
        elif auth.get("enable_auth"):
            raise AdmissionRefusedError(
                "this agent requires authentication: connect with a signed URL "
                "(GET /v1/convai/conversation/get-signed-url)"
            )
        else:
            self._check_public_rate(caller)
        limits = CallLimits.of(agent.platform_settings)
        if limits.daily is not None:
            await self._daily.load(agent_id)
        return Admission(agent, await self._claim(agent, limits, conversation_id))

    async def _claim(
        self, agent: StoredAgent, limits: CallLimits, conversation_id: str | None
    ) -> str:
        """Reserve a place under the limits, then create the conversation's row.

        The checks and the reservation do not await, so they are one step without a lock, and
        admissions do not queue behind each other's database writes (a ramp of new calls)."""
        self._check_limits(agent, limits)
        if conversation_id is None:
            conversation_id = self._ids.new("conv")
        elif conversation_id in self._active:  # the same single-use URL, twice at once
            raise AdmissionRefusedError(SIGNED_URL_USED)
        self._active[conversation_id] = agent.agent_id
        self._daily.add(agent.agent_id)
        try:
            claimed = await self._conversations.claim(conversation_id, agent.agent_id)
        except BaseException:
            self._unreserve(agent.agent_id, conversation_id)
            raise
        if not claimed:
            self._unreserve(agent.agent_id, conversation_id)
            raise AdmissionRefusedError(SIGNED_URL_USED)
        return conversation_id

    def _unreserve(self, agent_id: str, conversation_id: str) -> None:
        self._active.pop(conversation_id, None)
        self._daily.add(agent_id, -1)

    def _check_public_rate(self, caller: Caller) -> None:
        """Anonymous connections (a public agent, no signed URL) are rate-limited per address."""
        if self._public_rate is None:
            return
        wait = self._public_rate.take(caller.address or "unknown")
        if wait > 0:
            raise AdmissionRefusedError(
                f"too many new conversations from this address; try again in {math.ceil(wait)} s"
            )

    def _check_limits(self, agent: StoredAgent, limits: CallLimits) -> None:
        if len(self._active) >= self._limits.max_conversations:
            raise AdmissionRefusedError(
                f"the server is at its limit of {self._limits.max_conversations} "
                "concurrent conversations; try again later"
            )
        if limits.concurrency is not None:
            running = sum(1 for owner in self._active.values() if owner == agent.agent_id)
            if running >= limits.concurrency:
                raise AdmissionRefusedError(
                    f"this agent is at its agent_concurrency_limit of {limits.concurrency} "
                    "concurrent conversations"
                )
        if limits.daily is not None and self._daily.started(agent.agent_id) >= limits.daily:
            raise AdmissionRefusedError(
                f"this agent reached its daily_limit of {limits.daily} conversations today (UTC)"
            )

    def release(self, admission: Admission) -> None:
        """The admitted connection is over: it no longer counts against the limits."""
        self._active.pop(admission.conversation_id, None)

    async def abandon(self, admission: Admission, reason: str) -> None:
        """Record that an admitted connection ended before its conversation started."""
        await self._conversations.mark_failed(admission.conversation_id, reason)

    async def close(self, conversation: Conversation, reason: str) -> None:
        """Stop ``conversation`` and store its final state.

        The work runs in its own task, tracked until done: a cancelled socket handler must
        not cut the final write short, and server shutdown waits for it (:meth:`drain`).
        """
        self._live.discard(conversation)
        task = asyncio.create_task(conversation.shutdown(reason))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)
        await asyncio.shield(task)

    async def drain(self) -> None:
        """Wait for every conversation that is still being closed."""
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)

    async def open(
        self, admission: Admission, init: ConversationInitiationClientData | None, emit: Emit
    ) -> Conversation:
        """Resolve the session and build its engine (not started yet)."""
        resolved = resolve_agent(
            admission.agent, init, admission.conversation_id, self._clock.now()
        )
        view = resolved.view
        _log_ignored(admission)
        try:
            llm = self._llm_override or await self._router.for_prompt(
                resolved.prompt, view.variables
            )
        except LLMError as error:
            raise ConversationError(
                "llm_error", f"No model available: {error}", CloseCode.PROTOCOL_ERROR
            ) from error
        voice = None
        if self._voice is not None and not view.text_only:
            voice = await self._voice()
        timings = CallTimings(self._clock)  # every model call of this conversation, timed
        conversation = Conversation(
            view,
            TimedLLM(llm, timings),
            self._clock,
            emit,
            self._conversations,
            self._options,
            timed_voice(voice, timings) if voice is not None else None,
        )
        self._live.add(conversation)
        return conversation
