"""Opening conversations: who may connect, with which config, on which model."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from parley.clock import Clock
from parley.engine.conversation import Conversation, EngineOptions
from parley.engine.errors import ConversationError
from parley.engine.outbox import Emit
from parley.engine.session import resolve_session
from parley.engine.voice import VoiceProviders
from parley.ids import IdFactory
from parley.providers.llm.base import LLM, LLMError
from parley.providers.llm.router import LLMRouter
from parley.schemas.events import ConversationInitiationClientData
from parley.signing import ConversationTokens, TokenError
from parley.storage.agents import AgentStore, StoredAgent
from parley.storage.conversations import ConversationStore

log = logging.getLogger(__name__)

# WebSocket close code for connections refused while the server shuts down ("service
# restart"): clients should try again shortly.
SHUTTING_DOWN = 1012
# Close code for a connection that cannot be admitted because the storage failed.
TRY_AGAIN_LATER = 1013


class AdmissionRefusedError(Exception):
    """The connection may not start a conversation; ``reason`` is sent as the close reason."""

    def __init__(self, reason: str, code: int = 1008) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


@dataclass(frozen=True)
class Admission:
    """A connection that may talk to ``agent``, as ``conversation_id``."""

    agent: StoredAgent
    conversation_id: str


class ConversationService:
    def __init__(
        self,
        agents: AgentStore,
        conversations: ConversationStore,
        tokens: ConversationTokens,
        router: LLMRouter,
        clock: Clock,
        ids: IdFactory,
        options: EngineOptions,
        voice: Callable[[], Awaitable[VoiceProviders | None]] | None,
        llm_override: LLM | None = None,
    ) -> None:
        self._agents = agents
        self._conversations = conversations
        self._tokens = tokens
        self._router = router
        self._clock = clock
        self._ids = ids
        self._options = options
        self._llm_override = llm_override
        self._voice = voice
        self._closing: set[asyncio.Task[None]] = set()
        self._accepting = True
        self._live: set[Conversation] = set()
        self._connections = 0
        self._no_connections = asyncio.Event()
        self._no_connections.set()

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

    async def admit(self, agent_id: str | None, token: str | None) -> Admission:
        """Check the agent exists and the caller may talk to it."""
        if not self._accepting:
            raise AdmissionRefusedError(
                "the server is shutting down; try again shortly", SHUTTING_DOWN
            )
        if not agent_id:
            raise AdmissionRefusedError("agent_id query parameter is required")
        try:
            return await self._admit(agent_id, token)
        except AdmissionRefusedError:
            raise
        except Exception as error:  # the database is unavailable or overloaded
            log.warning("could not admit a call to %s (%s)", agent_id, type(error).__name__)
            raise AdmissionRefusedError(
                "the server cannot start a conversation right now; try again shortly",
                TRY_AGAIN_LATER,
            ) from error

    async def _admit(self, agent_id: str, token: str | None) -> Admission:
        agent = await self._agents.get(agent_id)
        if agent is None:
            raise AdmissionRefusedError(f"agent {agent_id} does not exist")
        conversation_id = None
        if token:
            try:
                claims = self._tokens.verify(token, agent_id)
            except TokenError as error:
                raise AdmissionRefusedError(str(error)) from error
            conversation_id = claims.conversation_id
        elif (agent.platform_settings.get("auth") or {}).get("enable_auth"):
            raise AdmissionRefusedError(
                "this agent requires authentication: connect with a signed URL "
                "(GET /v1/convai/conversation/get-signed-url)"
            )
        if conversation_id is None:
            conversation_id = self._ids.new("conv")
        if not await self._conversations.claim(conversation_id, agent_id):
            raise AdmissionRefusedError("this signed URL was already used; request a new one")
        return Admission(agent, conversation_id)

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
        session = resolve_session(
            admission.agent, init, admission.conversation_id, self._clock.now()
        )
        try:
            llm = self._llm_override or await self._router.for_prompt(
                session.prompt, session.variables
            )
        except LLMError as error:
            raise ConversationError("llm_error", f"No model available: {error}", 1002) from error
        voice = None
        if self._voice is not None and not session.text_only:
            voice = await self._voice()
        conversation = Conversation(
            session, llm, self._clock, emit, self._conversations, self._options, voice
        )
        self._live.add(conversation)
        return conversation
