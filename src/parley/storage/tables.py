"""Table definitions, the single source for Alembic migrations and queries."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, LargeBinary, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

JsonType = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    """Declarative base whose metadata Alembic compares against."""


class ApiKeyRow(Base):
    """An API key, stored only as its SHA-256 digest."""

    __tablename__ = "api_keys"

    key_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    key_prefix: Mapped[str] = mapped_column(String(16))
    created_at_ms: Mapped[int] = mapped_column(BigInteger)
    revoked_at_ms: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class AgentRow(Base):
    """An agent: its config documents plus the columns that listing filters and sorts on."""

    __tablename__ = "agents"

    agent_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(Text, index=True)
    tags: Mapped[list[str]] = mapped_column(JsonType)
    conversation_config: Mapped[dict[str, Any]] = mapped_column(JsonType)
    platform_settings: Mapped[dict[str, Any]] = mapped_column(JsonType)
    workflow: Mapped[dict[str, Any] | None] = mapped_column(JsonType, nullable=True)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at_ms: Mapped[int] = mapped_column(BigInteger, index=True)
    updated_at_ms: Mapped[int] = mapped_column(BigInteger)


class ConversationRow(Base):
    """A conversation, rewritten after every turn so a crash loses at most the turn in flight."""

    __tablename__ = "conversations"

    conversation_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    agent_id: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16))
    start_time_unix_secs: Mapped[int] = mapped_column(BigInteger, index=True)
    call_duration_secs: Mapped[int] = mapped_column(BigInteger)
    transcript: Mapped[list[dict[str, Any]]] = mapped_column(JsonType)
    termination_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    user_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    dynamic_variables: Mapped[dict[str, Any]] = mapped_column(JsonType)
    updated_at_ms: Mapped[int] = mapped_column(BigInteger)


class ConversationAudioRow(Base):
    """A conversation's recording (MP3), written once when the call ends; its own table so
    that reading and listing conversations never loads audio."""

    __tablename__ = "conversation_audio"

    conversation_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    has_user_audio: Mapped[bool] = mapped_column(Boolean)
    has_response_audio: Mapped[bool] = mapped_column(Boolean)
    created_at_ms: Mapped[int] = mapped_column(BigInteger)


class ServerSecretRow(Base):
    """Secrets the server itself needs across restarts (e.g. the signed-URL key)."""

    __tablename__ = "server_secrets"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class WorkspaceSecretRow(Base):
    """A secret agents refer to by id (``custom_llm.api_key``, webhook headers)."""

    __tablename__ = "workspace_secrets"

    secret_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    value: Mapped[str] = mapped_column(Text)
    created_at_ms: Mapped[int] = mapped_column(BigInteger)
