"""Storage set-up: SQLite in WAL mode, migrations that are safe to rerun."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy import inspect

from parley.clock import SystemClock
from parley.engine.transcript import ConversationSnapshot, RecordedAudio
from parley.storage.conversations import ConversationStore, StoredAudio
from parley.storage.db import create_engine, migrate, session_factory
from tests.virtual_clock import VirtualClock


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


async def test_a_recording_is_stored_flagged_and_deleted_with_its_conversation(
    database_url: str,
) -> None:
    engine = create_engine(database_url)
    try:
        await migrate(engine)
        store = ConversationStore(session_factory(engine), SystemClock())
        assert await store.claim("conv_rec", "agent_rec")
        assert await store.audio_flags("conv_rec") is None
        await store.save_audio("conv_rec", RecordedAudio(b"fLaC", "audio/flac", True, False))
        assert await store.audio_flags("conv_rec") == (True, False)
        assert await store.audio("conv_rec") == StoredAudio(b"fLaC", "audio/flac")
        mp3 = StoredAudio(b"ID3mp3", "audio/mpeg")
        assert await store.replace_audio("conv_rec", "audio/flac", mp3)
        assert await store.audio("conv_rec") == mp3
        assert await store.audio_flags("conv_rec") == (True, False)
        assert not await store.replace_audio("conv_rec", "audio/flac", mp3), "already replaced"
        assert await store.delete("conv_rec")
        assert await store.audio("conv_rec") is None
        assert not await store.replace_audio("conv_rec", "audio/flac", mp3)
        assert await store.audio("conv_rec") is None, "a deleted recording stays deleted"
    finally:
        await engine.dispose()


async def count_conversations(url: str) -> tuple[int, int, int]:
    engine = create_engine(url)
    try:
        await migrate(engine)
        clock = VirtualClock(start=1_700_000_000.0)
        store = ConversationStore(session_factory(engine), clock)
        await store.claim("conv_1", "agent_a")
        clock.jump(100)
        await store.claim("conv_2", "agent_a")
        await store.claim("conv_3", "agent_b")
        return (
            await store.count_started_since("agent_a", 1_700_000_050),
            await store.count_started_since("agent_a", 0),
            await store.count_started_since("agent_b", 0),
        )
    finally:
        await engine.dispose()


def test_conversations_are_counted_per_agent_since_a_time(database_url: str) -> None:
    """What an agent's daily_limit is checked against."""
    assert asyncio.run(count_conversations(database_url)) == (1, 2, 1)


def _snapshot(conversation_id: str, said: str) -> ConversationSnapshot:
    return ConversationSnapshot(
        conversation_id=conversation_id,
        agent_id="agent_batch",
        status="in-progress",
        started_at=1_700_000_000.0,
        duration_secs=3,
        transcript=[{"role": "user", "message": said, "time_in_call_secs": 1}],
        termination_reason=None,
        user_id=None,
        dynamic_variables={"said": said},
    )


async def test_snapshots_saved_together_each_reach_their_row(database_url: str) -> None:
    """Concurrent saves go in one batch (one UPDATE run for every row); a conversation whose
    row was deleted while it ran is stored again, next to rows that were updated."""
    engine = create_engine(database_url)
    try:
        await migrate(engine)
        store = ConversationStore(session_factory(engine), SystemClock())
        ids = [f"conv_batch_{n}" for n in range(5)]
        for conversation_id in ids:
            assert await store.claim(conversation_id, "agent_batch")
        assert await store.delete(ids[2])
        await asyncio.gather(*(store.save(_snapshot(i, f"words of {i}")) for i in ids))
        for conversation_id in ids:
            stored = await store.get(conversation_id)
            assert stored is not None, conversation_id
            assert stored.status == "in-progress"
            assert stored.transcript[0]["message"] == f"words of {conversation_id}"
            assert stored.dynamic_variables == {"said": f"words of {conversation_id}"}
    finally:
        await engine.dispose()
