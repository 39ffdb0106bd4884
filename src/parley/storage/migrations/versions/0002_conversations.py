"""Conversations, server secrets and workspace secrets.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

JSON_TYPE = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("conversation_id", sa.String(64), primary_key=True),
        sa.Column("agent_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("start_time_unix_secs", sa.BigInteger, nullable=False),
        sa.Column("call_duration_secs", sa.BigInteger, nullable=False),
        sa.Column("transcript", JSON_TYPE, nullable=False),
        sa.Column("termination_reason", sa.Text, nullable=True),
        sa.Column("user_id", sa.String(200), nullable=True),
        sa.Column("dynamic_variables", JSON_TYPE, nullable=False),
        sa.Column("updated_at_ms", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_conversations_agent_id", "conversations", ["agent_id"])
    op.create_index(
        "ix_conversations_start_time_unix_secs", "conversations", ["start_time_unix_secs"]
    )
    op.create_table(
        "server_secrets",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "workspace_secrets",
        sa.Column("secret_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("created_at_ms", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("workspace_secrets")
    op.drop_table("server_secrets")
    op.drop_index("ix_conversations_start_time_unix_secs", table_name="conversations")
    op.drop_index("ix_conversations_agent_id", table_name="conversations")
    op.drop_table("conversations")
