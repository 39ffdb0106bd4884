"""Database engine set-up and start-up migrations."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def async_url(url: str) -> str:
    """``url`` with the async driver Parley uses (asyncpg, aiosqlite) filled in, so operators
    can write the plain ``postgresql://…`` or ``sqlite:///…`` they know."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    if url.startswith("sqlite://"):
        return "sqlite+aiosqlite://" + url[len("sqlite://") :]
    return url


def create_engine(url: str) -> AsyncEngine:
    """Create the async engine; SQLite gets WAL mode, foreign keys, a busy timeout and one
    connection.

    One connection, because SQLite has one writer: with a pool, each connection's write
    transaction holds the file lock while it waits for the event loop, and under load
    (benchmarks/load.py, 300 calls) the others gave up with "database is locked". Sharing one
    connection queues the statements in SQLAlchemy instead, and costs nothing: SQLite runs
    one write at a time anyway, and reads are short.
    """
    url = async_url(url)
    parsed = make_url(url)
    # hide_parameters: a failed statement's error must not print a transcript into the log
    if parsed.get_backend_name() != "sqlite":
        return create_async_engine(url, pool_pre_ping=True, hide_parameters=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            url, pool_size=1, max_overflow=0, pool_timeout=60, hide_parameters=True
        )
    else:  # an in-memory database lives in its one connection already
        engine = create_async_engine(url, hide_parameters=True)

    @event.listens_for(engine.sync_engine, "connect")
    def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded rows usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


def _alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection) -> None:
    command.upgrade(_alembic_config(connection), "head")


async def migrate(engine: AsyncEngine) -> None:
    """Bring the schema up to the newest migration; safe to run at every start."""
    log.info("applying database migrations (%s)", engine.url.get_backend_name())
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade)
