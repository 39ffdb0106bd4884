"""Table definitions, the single source for Alembic migrations and queries."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, String, Text
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
