"""Agent persistence: create, read, list with keyset pagination, update and delete."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from parley.storage.pagination import after, decode_cursor, encode_cursor, order
from parley.storage.tables import AgentRow

SortField = Literal["created_at", "name"]
SortDirection = Literal["asc", "desc"]


@dataclass(frozen=True)
class StoredAgent:
    """An agent as stored: the validated document with defaults, and its timestamps."""

    agent_id: str
    name: str
    tags: list[str]
    conversation_config: dict[str, Any]
    platform_settings: dict[str, Any]
    workflow: dict[str, Any] | None
    created_at_ms: int
    updated_at_ms: int

    @classmethod
    def from_row(cls, row: AgentRow) -> StoredAgent:
        return cls(
            agent_id=row.agent_id,
            name=row.name,
            tags=list(row.tags),
            conversation_config=row.conversation_config,
            platform_settings=row.platform_settings,
            workflow=row.workflow,
            created_at_ms=row.created_at_ms,
            updated_at_ms=row.updated_at_ms,
        )


@dataclass(frozen=True)
class AgentQuery:
    """One page request of ``GET /v1/convai/agents``."""

    page_size: int = 30
    search: str | None = None
    archived: bool | None = None
    sort_by: SortField = "created_at"
    sort_direction: SortDirection = "desc"
    cursor: str | None = None


@dataclass(frozen=True)
class AgentPage:
    agents: list[StoredAgent]
    next_cursor: str | None
    has_more: bool


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _row_values(agent: StoredAgent) -> dict[str, Any]:
    return {
        "name": agent.name,
        "tags": agent.tags,
        "conversation_config": agent.conversation_config,
        "platform_settings": agent.platform_settings,
        "workflow": agent.workflow,
        "archived": bool(agent.platform_settings.get("archived", False)),
        "created_at_ms": agent.created_at_ms,
        "updated_at_ms": agent.updated_at_ms,
    }


class AgentStore:
    """Agents in the database. Every method is one short transaction."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._write_lock = asyncio.Lock()

    async def add(self, agent: StoredAgent) -> None:
        async with self._sessions.begin() as session:
            session.add(AgentRow(agent_id=agent.agent_id, **_row_values(agent)))

    async def get(self, agent_id: str) -> StoredAgent | None:
        async with self._sessions() as session:
            row = await session.get(AgentRow, agent_id)
            return StoredAgent.from_row(row) if row else None

    async def update(
        self, agent_id: str, change: Callable[[StoredAgent], StoredAgent]
    ) -> StoredAgent | None:
        """Read, change and write one agent atomically; None if it does not exist.

        PostgreSQL locks the row (``FOR UPDATE``); SQLite has no row locks, so writers in this
        process also take a lock, and concurrent PATCHes never lose each other's changes.
        """
        async with self._write_lock, self._sessions.begin() as session:
            row = await session.get(AgentRow, agent_id, with_for_update=True)
            if row is None:
                return None
            changed = change(StoredAgent.from_row(row))
            for column, value in _row_values(changed).items():
                setattr(row, column, value)
            return changed

    async def delete(self, agent_id: str) -> bool:
        async with self._sessions.begin() as session:
            result = await session.execute(delete(AgentRow).where(AgentRow.agent_id == agent_id))
            return bool(getattr(result, "rowcount", 0))

    async def list(self, query: AgentQuery) -> AgentPage:
        sort_column = AgentRow.created_at_ms if query.sort_by == "created_at" else AgentRow.name
        descending = query.sort_direction == "desc"
        statement = select(AgentRow)
        if query.search:
            pattern = f"%{_escape_like(query.search)}%"
            statement = statement.where(AgentRow.name.ilike(pattern, escape="\\"))
        if query.archived is not None:
            statement = statement.where(AgentRow.archived == query.archived)
        if query.cursor:
            key, agent_id = decode_cursor(query.cursor, query.sort_by)
            statement = statement.where(
                after(sort_column, AgentRow.agent_id, key, agent_id, descending)
            )
        statement = statement.order_by(*order(sort_column, AgentRow.agent_id, descending))
        statement = statement.limit(query.page_size + 1)
        async with self._sessions() as session:
            rows = list((await session.scalars(statement)).all())
        has_more = len(rows) > query.page_size
        rows = rows[: query.page_size]
        next_cursor = None
        if has_more:
            last = rows[-1]
            key = last.created_at_ms if query.sort_by == "created_at" else last.name
            next_cursor = encode_cursor(query.sort_by, key, last.agent_id)
        return AgentPage([StoredAgent.from_row(r) for r in rows], next_cursor, has_more)
