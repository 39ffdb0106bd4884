"""Secrets: the server's own (signing key) and the workspace's (referenced by agents).

Workspace secret values are stored as given, in the server's database, and never returned
by the API; protect the database (file permissions, PostgreSQL roles) accordingly.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from parley.clock import Clock
from parley.ids import IdFactory
from parley.storage.tables import ServerSecretRow, WorkspaceSecretRow


async def server_secret(sessions: async_sessionmaker[AsyncSession], name: str) -> str:
    """The server secret ``name``, created (256 random bits) on first use."""
    async with sessions.begin() as session:
        row = await session.get(ServerSecretRow, name)
        if row is None:
            row = ServerSecretRow(name=name, value=secrets.token_hex(32))
            session.add(row)
        return row.value


@dataclass(frozen=True)
class SecretInfo:
    secret_id: str
    name: str


class SecretStore:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], clock: Clock, ids: IdFactory
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._ids = ids

    async def create(self, name: str, value: str) -> SecretInfo:
        row = WorkspaceSecretRow(
            secret_id=self._ids.new("secret"),
            name=name,
            value=value,
            created_at_ms=int(self._clock.now() * 1000),
        )
        async with self._sessions.begin() as session:
            session.add(row)
        return SecretInfo(row.secret_id, row.name)

    async def list(self) -> list[SecretInfo]:
        async with self._sessions() as session:
            rows = await session.scalars(
                select(WorkspaceSecretRow).order_by(WorkspaceSecretRow.created_at_ms)
            )
            return [SecretInfo(row.secret_id, row.name) for row in rows]

    async def value(self, secret_id: str) -> str | None:
        async with self._sessions() as session:
            row = await session.get(WorkspaceSecretRow, secret_id)
            return row.value if row else None

    async def delete(self, secret_id: str) -> bool:
        async with self._sessions.begin() as session:
            result = await session.execute(
                delete(WorkspaceSecretRow).where(WorkspaceSecretRow.secret_id == secret_id)
            )
            return bool(getattr(result, "rowcount", 0))
