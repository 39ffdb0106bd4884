"""API keys: generated once, shown once, stored only as a SHA-256 digest.

Keys are 256-bit random tokens, so a fast digest is enough: there is nothing to brute-force
that a slow password hash would protect.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from parley.clock import Clock
from parley.ids import IdFactory
from parley.storage.tables import ApiKeyRow

KEY_PREFIX = "sk_"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def generate_key() -> str:
    return KEY_PREFIX + secrets.token_hex(32)


@dataclass(frozen=True)
class ApiKeyInfo:
    """What may be shown about a key after its creation: never the key itself."""

    key_id: str
    name: str
    key_prefix: str
    created_at_ms: int
    revoked_at_ms: int | None


class ApiKeyStore:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], clock: Clock, ids: IdFactory
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._ids = ids

    async def create(self, name: str, key: str | None = None) -> tuple[ApiKeyInfo, str]:
        """Store a new key (random unless given) and return its info and plain text."""
        plain = key or generate_key()
        row = ApiKeyRow(
            key_id=self._ids.new("key"),
            name=name,
            key_hash=hash_key(plain),
            key_prefix=plain[:8],
            created_at_ms=int(self._clock.now() * 1000),
            revoked_at_ms=None,
        )
        async with self._sessions.begin() as session:
            session.add(row)
        return _info(row), plain

    async def ensure(self, name: str, key: str) -> None:
        """Make sure ``key`` is stored and active (used for the PARLEY_API_KEY bootstrap key)."""
        async with self._sessions.begin() as session:
            row = await session.scalar(select(ApiKeyRow).where(ApiKeyRow.key_hash == hash_key(key)))
            if row is not None:
                row.revoked_at_ms = None
                return
        await self.create(name, key)

    async def is_valid(self, key: str) -> bool:
        async with self._sessions() as session:
            row = await session.scalar(
                select(ApiKeyRow.key_id).where(
                    ApiKeyRow.key_hash == hash_key(key), ApiKeyRow.revoked_at_ms.is_(None)
                )
            )
            return row is not None

    async def count_active(self) -> int:
        async with self._sessions() as session:
            count = await session.scalar(
                select(func.count()).select_from(ApiKeyRow).where(ApiKeyRow.revoked_at_ms.is_(None))
            )
            return int(count or 0)

    async def list(self) -> list[ApiKeyInfo]:
        async with self._sessions() as session:
            rows = await session.scalars(select(ApiKeyRow).order_by(ApiKeyRow.created_at_ms))
            return [_info(row) for row in rows]

    async def revoke(self, key_id: str) -> bool:
        async with self._sessions.begin() as session:
            row = await session.get(ApiKeyRow, key_id)
            if row is None or row.revoked_at_ms is not None:
                return False
            row.revoked_at_ms = int(self._clock.now() * 1000)
            return True


def _info(row: ApiKeyRow) -> ApiKeyInfo:
    return ApiKeyInfo(row.key_id, row.name, row.key_prefix, row.created_at_ms, row.revoked_at_ms)
