"""The long-lived objects a running server shares, built once at start-up."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncEngine

from parley.agents.service import AgentService
from parley.clock import Clock
from parley.ids import IdFactory
from parley.settings import Settings
from parley.storage.agents import AgentStore
from parley.storage.api_keys import ApiKeyStore
from parley.storage.db import create_engine, migrate, session_factory


@dataclass(frozen=True)
class Services:
    settings: Settings
    engine: AsyncEngine
    api_keys: ApiKeyStore
    agents: AgentService

    async def close(self) -> None:
        await self.engine.dispose()


async def open_services(settings: Settings, clock: Clock, ids: IdFactory) -> Services:
    """Connect to the database, apply migrations and build the stores."""
    engine = create_engine(settings.resolved_database_url())
    await migrate(engine)
    sessions = session_factory(engine)
    return Services(
        settings=settings,
        engine=engine,
        api_keys=ApiKeyStore(sessions, clock, ids),
        agents=AgentService(AgentStore(sessions), clock, ids),
    )


def services_of(request: Request) -> Services:
    """FastAPI dependency: the running server's services."""
    services: Services = request.app.state.services
    return services
