"""The long-lived objects a running server shares, built once at start-up."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx
from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncEngine

from parley.agents.service import AgentService
from parley.clock import Clock
from parley.conversations.service import (
    AdmissionLimits,
    ConversationModels,
    ConversationService,
)
from parley.engine.conversation import EngineOptions
from parley.ids import IdFactory
from parley.providers.embedded_voice import EmbeddedVoice, embedded_loaders
from parley.providers.llm.base import LLM
from parley.providers.llm.embedded import EmbeddedModel
from parley.providers.llm.router import LLMRouter
from parley.providers.voice import VoiceProviders
from parley.settings import Settings
from parley.signing import ConversationTokens
from parley.storage.agents import AgentStore
from parley.storage.api_keys import ApiKeyStore
from parley.storage.conversations import ConversationStore
from parley.storage.db import create_engine, migrate, session_factory
from parley.storage.secrets import SecretStore, server_secret

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Services:
    settings: Settings
    clock: Clock
    engine: AsyncEngine
    api_keys: ApiKeyStore
    agent_store: AgentStore
    agents: AgentService
    conversation_store: ConversationStore
    conversations: ConversationService
    secrets: SecretStore
    embedded_llm: EmbeddedModel
    embedded_voice: EmbeddedVoice
    http: httpx.AsyncClient

    async def close(self) -> None:
        await self.conversations.drain()
        await self.embedded_llm.close()
        await self.embedded_voice.close()
        await self.http.aclose()
        await self.engine.dispose()


async def open_services(
    settings: Settings,
    clock: Clock,
    ids: IdFactory,
    llm_override: LLM | None = None,
    voice_override: VoiceProviders | None = None,
) -> Services:
    """Connect to the database, apply migrations and build the stores and engines.

    ``llm_override`` and ``voice_override`` replace the models (tests and benchmarks use
    scripted fakes).
    """
    engine = create_engine(settings.resolved_database_url())
    await migrate(engine)
    sessions = session_factory(engine)
    agent_store = AgentStore(sessions)
    conversation_store = ConversationStore(sessions, clock)
    abandoned = await conversation_store.fail_abandoned()
    if abandoned:
        log.warning("marked %d conversations left open by a previous run as failed", abandoned)
    secrets = SecretStore(sessions, clock, ids)
    http = httpx.AsyncClient()
    embedded = EmbeddedModel(
        settings.local_llm,
        settings.resolved_models_dir(),
        settings.llm_threads,
        settings.llm_prompt_threads,
    )
    router = LLMRouter(
        settings.llm_endpoints, embedded, http, secrets.value, settings.llm_timeout_seconds
    )
    voice = EmbeddedVoice(
        embedded_loaders(
            settings.resolved_models_dir(), settings.voice_threads, settings.tts_threads
        )
    )
    signing_key = await server_secret(sessions, "conversation_token_key")
    conversations = ConversationService(
        agent_store,
        conversation_store,
        ConversationTokens(bytes.fromhex(signing_key), clock),
        ConversationModels(router, _voice_source(settings, voice, voice_override), llm_override),
        clock,
        ids,
        EngineOptions(ping_interval_seconds=settings.ping_interval_seconds),
        AdmissionLimits(
            max_conversations=settings.max_conversations,
            public_rate_per_minute=settings.public_rate_per_minute,
            public_rate_burst=settings.public_rate_burst,
        ),
    )
    return Services(
        settings=settings,
        clock=clock,
        engine=engine,
        api_keys=ApiKeyStore(sessions, clock, ids),
        agent_store=agent_store,
        agents=AgentService(agent_store, clock, ids),
        conversation_store=conversation_store,
        conversations=conversations,
        secrets=secrets,
        embedded_llm=embedded,
        embedded_voice=voice,
        http=http,
    )


def _voice_source(
    settings: Settings, embedded: EmbeddedVoice, override: VoiceProviders | None
) -> Callable[[], Awaitable[VoiceProviders | None]] | None:
    """Where conversations get their speech models: none when voice is off."""
    if not settings.voice:
        return None
    if override is None:
        return embedded.get

    async def fixed() -> VoiceProviders:
        return override

    return fixed


def services_of(request: Request) -> Services:
    """FastAPI dependency: the running server's services."""
    services: Services = request.app.state.services
    return services
