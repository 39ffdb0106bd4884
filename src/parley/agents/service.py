"""Agent use cases, independent of HTTP: the REST routes call these and translate errors."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass

from parley.agents.config import (
    JsonObject,
    apply_defaults,
    deep_merge,
    dropped_fields,
    validate_document,
)
from parley.clock import Clock
from parley.ids import IdFactory
from parley.storage.agents import AgentPage, AgentQuery, AgentStore, StoredAgent

log = logging.getLogger(__name__)

# The log line names this many dropped fields at most (each cut to PATH_CHARS characters):
# a body full of unknown keys must not become a log line as large as itself.
LOGGED_PATHS = 20
PATH_CHARS = 120


class AgentNotFoundError(LookupError):
    def __init__(self, agent_id: str) -> None:
        super().__init__(f"agent {agent_id!r} does not exist")
        self.agent_id = agent_id


def agent_document(agent: StoredAgent) -> JsonObject:
    """The stored document of ``agent``: what create took, with defaults filled in."""
    document: JsonObject = {
        "conversation_config": agent.conversation_config,
        "platform_settings": agent.platform_settings,
        "name": agent.name,
        "tags": agent.tags,
    }
    if agent.workflow is not None:
        document["workflow"] = agent.workflow
    return document


@dataclass(frozen=True)
class SavedAgent:
    """An agent as create or update stored it, and the request's fields that were dropped
    (unknown to the agent schema, often misspelt: the platform drops them silently)."""

    agent: StoredAgent
    dropped: tuple[str, ...] = ()


def _log_dropped(agent_id: str, dropped: list[str]) -> None:
    if dropped:
        shown = ", ".join(path[:PATH_CHARS] for path in dropped[:LOGGED_PATHS])
        more = f" and {len(dropped) - LOGGED_PATHS} more" if len(dropped) > LOGGED_PATHS else ""
        log.warning(
            "agent %s: dropped %d unknown field(s) (misspelt?): %s%s",
            agent_id,
            len(dropped),
            shown,
            more,
        )


class AgentService:
    """Creates, reads, updates, duplicates and deletes agents."""

    def __init__(self, store: AgentStore, clock: Clock, ids: IdFactory) -> None:
        self._store = store
        self._clock = clock
        self._ids = ids

    def _now_ms(self) -> int:
        return int(self._clock.now() * 1000)

    def _build(self, agent_id: str, document: JsonObject, created_at_ms: int) -> SavedAgent:
        given = apply_defaults(document)
        full = validate_document(given)
        agent = StoredAgent(
            agent_id=agent_id,
            name=full["name"],
            tags=full["tags"],
            conversation_config=full["conversation_config"],
            platform_settings=full["platform_settings"],
            workflow=full.get("workflow"),
            created_at_ms=created_at_ms,
            updated_at_ms=self._now_ms(),
        )
        return SavedAgent(agent, tuple(sorted(dropped_fields(given, full))))

    async def create(self, document: JsonObject) -> SavedAgent:
        """Validate ``document`` (the request's JSON as sent), fill in defaults and store it
        as a new agent."""
        saved = self._build(self._ids.new("agent"), document, self._now_ms())
        await self._store.add(saved.agent)
        _log_dropped(saved.agent.agent_id, list(saved.dropped))
        return saved

    async def get(self, agent_id: str) -> StoredAgent:
        agent = await self._store.get(agent_id)
        if agent is None:
            raise AgentNotFoundError(agent_id)
        return agent

    async def update(self, agent_id: str, patch: JsonObject) -> SavedAgent:
        """Merge ``patch`` into the stored document; the merged whole must validate.

        What validation drops can only come from ``patch``: the stored document is clean."""
        saved: list[SavedAgent] = []

        def change(current: StoredAgent) -> StoredAgent:
            merged = deep_merge(agent_document(current), patch)
            saved[:] = [self._build(agent_id, merged, current.created_at_ms)]
            return saved[0].agent

        if await self._store.update(agent_id, change) is None:
            raise AgentNotFoundError(agent_id)
        _log_dropped(agent_id, list(saved[0].dropped))
        return saved[0]

    async def duplicate(self, agent_id: str, name: str | None) -> StoredAgent:
        source = await self.get(agent_id)
        now = self._now_ms()
        copy = dataclasses.replace(
            source,
            agent_id=self._ids.new("agent"),
            name=name if name is not None else f"{source.name} (copy)",
            created_at_ms=now,
            updated_at_ms=now,
        )
        await self._store.add(copy)
        return copy

    async def delete(self, agent_id: str) -> None:
        if not await self._store.delete(agent_id):
            raise AgentNotFoundError(agent_id)

    async def list(self, query: AgentQuery) -> AgentPage:
        return await self._store.list(query)
