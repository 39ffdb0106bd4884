"""Conversation persistence: one row per conversation, rewritten as it goes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, Table, bindparam, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from parley.clock import Clock
from parley.engine.transcript import ConversationSnapshot, RecordedAudio
from parley.storage.batching import WriteBatcher
from parley.storage.pagination import after, decode_cursor, encode_cursor, order
from parley.storage.tables import ConversationAudioRow, ConversationRow

OPEN_STATUSES = ("initiated", "in-progress")


@dataclass(frozen=True)
class StoredConversation:
    conversation_id: str
    agent_id: str
    status: str
    start_time_unix_secs: int
    call_duration_secs: int
    transcript: list[dict[str, Any]]
    termination_reason: str | None
    user_id: str | None
    dynamic_variables: dict[str, Any]

    @classmethod
    def from_row(cls, row: ConversationRow) -> StoredConversation:
        return cls(
            conversation_id=row.conversation_id,
            agent_id=row.agent_id,
            status=row.status,
            start_time_unix_secs=row.start_time_unix_secs,
            call_duration_secs=row.call_duration_secs,
            transcript=list(row.transcript),
            termination_reason=row.termination_reason,
            user_id=row.user_id,
            dynamic_variables=dict(row.dynamic_variables),
        )


@dataclass(frozen=True)
class StoredAudio:
    """A recording's bytes and their type (``audio/flac``, ``audio/mpeg``)."""

    data: bytes
    content_type: str


@dataclass(frozen=True)
class ConversationFilter:
    """The platform's list filters Parley applies; a start time range is half-open."""

    started_after: int | None = None  # start_time_unix_secs >= this
    started_before: int | None = None  # start_time_unix_secs < this
    exclude_statuses: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ConversationPage:
    conversations: list[StoredConversation]
    next_cursor: str | None
    has_more: bool


def _values(snapshot: ConversationSnapshot, now_ms: int) -> dict[str, Any]:
    return {
        "agent_id": snapshot.agent_id,
        "status": snapshot.status,
        "start_time_unix_secs": int(snapshot.started_at),
        "call_duration_secs": snapshot.duration_secs,
        "transcript": snapshot.transcript,
        "termination_reason": snapshot.termination_reason,
        "user_id": snapshot.user_id,
        "dynamic_variables": snapshot.dynamic_variables,
        "updated_at_ms": now_ms,
    }


_CONVERSATIONS = cast(Table, ConversationRow.__table__)  # Core: no ORM bookkeeping per save
_SNAPSHOT_COLUMNS = (
    "agent_id",
    "status",
    "start_time_unix_secs",
    "call_duration_secs",
    "transcript",
    "termination_reason",
    "user_id",
    "dynamic_variables",
    "updated_at_ms",
)
# One UPDATE for a whole batch of snapshots, run as executemany: compiled once, and one trip
# to the database however many rows. (Bind names may not be the column names.)
_UPDATE_SNAPSHOTS = (
    update(_CONVERSATIONS)
    .where(_CONVERSATIONS.c.conversation_id == bindparam("b_conversation_id"))
    .values(
        {
            name: bindparam(f"b_{name}", type_=_CONVERSATIONS.c[name].type)
            for name in _SNAPSHOT_COLUMNS
        }
    )
)


def _update_parameters(snapshot: ConversationSnapshot, now_ms: int) -> dict[str, Any]:
    values = _values(snapshot, now_ms).items()
    return {"b_conversation_id": snapshot.conversation_id} | {f"b_{k}": v for k, v in values}


class ConversationStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock
        self._snapshots = WriteBatcher(self._write_snapshots)

    async def claim(self, conversation_id: str, agent_id: str) -> bool:
        """Create the conversation's row (status ``initiated``); False if the id is taken.

        The primary key makes this atomic, which is what keeps a single-use signed URL single-use
        even when two connections race with it.
        """
        now = self._clock.now()
        row = ConversationRow(
            conversation_id=conversation_id,
            agent_id=agent_id,
            status="initiated",
            start_time_unix_secs=int(now),
            call_duration_secs=0,
            transcript=[],
            termination_reason=None,
            user_id=None,
            dynamic_variables={},
            updated_at_ms=int(now * 1000),
        )
        try:
            async with self._sessions.begin() as session:
                session.add(row)
        except IntegrityError:
            return False
        return True

    async def save(self, snapshot: ConversationSnapshot) -> None:
        """Insert or overwrite the conversation's row with ``snapshot``; returns once stored.

        This runs after every turn of every call, so the snapshots that wait at the same
        moment are written together, in one transaction (:class:`WriteBatcher`)."""
        await self._snapshots.submit(snapshot.conversation_id, snapshot)

    async def _write_snapshots(self, snapshots: list[ConversationSnapshot]) -> None:
        """UPDATE every row (each was claimed at admission); a conversation deleted while it
        ran has no row left to update, and is stored again with an INSERT."""
        now_ms = int(self._clock.now() * 1000)
        async with self._sessions.begin() as session:
            result = await session.execute(
                _UPDATE_SNAPSHOTS, [_update_parameters(s, now_ms) for s in snapshots]
            )
            assert isinstance(result, CursorResult)  # a DML statement's result
            dialect = session.get_bind().dialect
            if dialect.supports_sane_multi_rowcount and result.rowcount == len(snapshots):
                return  # every row was there (SQLite counts them)
            ids = [snapshot.conversation_id for snapshot in snapshots]
            present = set(
                await session.scalars(
                    select(ConversationRow.conversation_id).where(
                        ConversationRow.conversation_id.in_(ids)
                    )
                )
            )
            for snapshot in snapshots:
                if snapshot.conversation_id not in present:
                    values = _values(snapshot, now_ms)
                    session.add(ConversationRow(conversation_id=snapshot.conversation_id, **values))

    async def mark_failed(self, conversation_id: str, reason: str) -> None:
        """A conversation that ended before it started (bad start frame, client gone)."""
        async with self._sessions.begin() as session:
            await session.execute(
                update(ConversationRow)
                .where(ConversationRow.conversation_id == conversation_id)
                .values(status="failed", termination_reason=reason)
            )

    async def save_audio(self, conversation_id: str, audio: RecordedAudio) -> None:
        """Store the call's recording (replacing any earlier one)."""
        async with self._sessions.begin() as session:
            await session.merge(
                ConversationAudioRow(
                    conversation_id=conversation_id,
                    content_type=audio.content_type,
                    data=audio.data,
                    has_user_audio=audio.has_user_audio,
                    has_response_audio=audio.has_response_audio,
                    created_at_ms=int(self._clock.now() * 1000),
                )
            )

    async def audio_flags(self, conversation_id: str) -> tuple[bool, bool] | None:
        """``(has_user_audio, has_response_audio)`` of the recording; None without one."""
        statement = select(
            ConversationAudioRow.has_user_audio, ConversationAudioRow.has_response_audio
        ).where(ConversationAudioRow.conversation_id == conversation_id)
        async with self._sessions() as session:
            row = (await session.execute(statement)).first()
        return (bool(row[0]), bool(row[1])) if row else None

    async def audio(self, conversation_id: str) -> StoredAudio | None:
        """The recording as it is stored, or None."""
        statement = select(ConversationAudioRow.data, ConversationAudioRow.content_type).where(
            ConversationAudioRow.conversation_id == conversation_id
        )
        async with self._sessions() as session:
            row = (await session.execute(statement)).first()
        return StoredAudio(bytes(row[0]), row[1]) if row else None

    async def replace_audio(self, conversation_id: str, was: str, audio: StoredAudio) -> bool:
        """Store ``audio`` in place of the recording if that is still of type ``was``: a
        recording deleted (or converted by another request) meanwhile stays as it is."""
        async with self._sessions.begin() as session:
            result = await session.execute(
                update(ConversationAudioRow)
                .where(
                    ConversationAudioRow.conversation_id == conversation_id,
                    ConversationAudioRow.content_type == was,
                )
                .values(data=audio.data, content_type=audio.content_type)
            )
            return bool(getattr(result, "rowcount", 0))

    async def get(self, conversation_id: str) -> StoredConversation | None:
        async with self._sessions() as session:
            row = await session.get(ConversationRow, conversation_id)
            return StoredConversation.from_row(row) if row else None

    async def delete(self, conversation_id: str) -> bool:
        async with self._sessions.begin() as session:
            await session.execute(
                delete(ConversationAudioRow).where(
                    ConversationAudioRow.conversation_id == conversation_id
                )
            )
            result = await session.execute(
                delete(ConversationRow).where(ConversationRow.conversation_id == conversation_id)
            )
            return bool(getattr(result, "rowcount", 0))

    async def count_started_since(self, agent_id: str, since: float) -> int:
        """How many conversations of ``agent_id`` started at or after ``since`` (Unix seconds);
        what an agent's ``daily_limit`` is checked against."""
        statement = select(func.count()).where(
            ConversationRow.agent_id == agent_id,
            ConversationRow.start_time_unix_secs >= int(since),
        )
        async with self._sessions() as session:
            return int((await session.execute(statement)).scalar_one())

    async def list(
        self,
        agent_id: str | None,
        page_size: int,
        cursor: str | None,
        filters: ConversationFilter | None = None,
    ) -> ConversationPage:
        """Newest first, one page at a time."""
        column, id_column = ConversationRow.start_time_unix_secs, ConversationRow.conversation_id
        statement = select(ConversationRow)
        if agent_id:
            statement = statement.where(ConversationRow.agent_id == agent_id)
        filters = filters or ConversationFilter()
        if filters.started_after is not None:
            statement = statement.where(column >= filters.started_after)
        if filters.started_before is not None:
            statement = statement.where(column < filters.started_before)
        if filters.exclude_statuses:
            statement = statement.where(ConversationRow.status.not_in(filters.exclude_statuses))
        if cursor:
            key, row_id = decode_cursor(cursor, "start_time")
            statement = statement.where(after(column, id_column, key, row_id, descending=True))
        statement = statement.order_by(*order(column, id_column, descending=True))
        async with self._sessions() as session:
            rows = list((await session.scalars(statement.limit(page_size + 1))).all())
        has_more = len(rows) > page_size
        rows = rows[:page_size]
        next_cursor = None
        if has_more:
            last = rows[-1]
            next_cursor = encode_cursor(
                "start_time", last.start_time_unix_secs, last.conversation_id
            )
        return ConversationPage(
            [StoredConversation.from_row(r) for r in rows], next_cursor, has_more
        )

    async def fail_abandoned(self) -> int:
        """At start-up: conversations left open by a crash are marked failed (their transcript
        up to the last completed turn is kept)."""
        async with self._sessions.begin() as session:
            result = await session.execute(
                update(ConversationRow)
                .where(ConversationRow.status.in_(OPEN_STATUSES))
                .values(status="failed", termination_reason="server stopped during the call")
            )
            return int(getattr(result, "rowcount", 0) or 0)
