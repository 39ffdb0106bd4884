"""Storage set-up: SQLite in WAL mode, migrations that are safe to rerun."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy import inspect

from parley.storage.db import create_engine, migrate


async def migrate_twice(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        await migrate(engine)
        await migrate(engine)
        async with engine.connect() as connection:
            return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await engine.dispose()


def test_migrations_create_the_schema_and_can_run_again(database_url: str) -> None:
    tables = asyncio.run(migrate_twice(database_url))
    assert {"agents", "api_keys", "alembic_version"} <= tables


def test_sqlite_file_uses_wal_and_its_folder_is_created(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "parley.db"
    asyncio.run(migrate_twice(f"sqlite+aiosqlite:///{path}"))
    with closing(sqlite3.connect(path)) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
