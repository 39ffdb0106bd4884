"""Server settings, read from the environment in exactly one place.

Every setting has a ``PARLEY_`` environment variable; ``parley serve`` flags override them.
The resulting :class:`Settings` object is frozen and handed down explicitly; no other module
reads ``os.environ``.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything an operator can configure."""

    model_config = SettingsConfigDict(env_prefix="PARLEY_", frozen=True, extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    data_dir: Path = Path("data")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; defaults to an SQLite file in the data dir. "
        "postgresql://user:pass@host/db uses PostgreSQL through asyncpg.",
    )
    api_key: SecretStr | None = Field(
        default=None, description="A bootstrap API key that is always accepted."
    )
    max_request_bytes: int = Field(
        default=2 * 1024 * 1024, ge=1024, description="Largest accepted REST request body."
    )
    log_level: str = "info"

    def resolved_database_url(self) -> str:
        """The database URL with the async driver Parley uses filled in."""
        url = self.database_url or f"sqlite+aiosqlite:///{self.data_dir.resolve() / 'parley.db'}"
        for prefix in ("postgresql://", "postgres://"):
            if url.startswith(prefix):
                return "postgresql+asyncpg://" + url[len(prefix) :]
        if url.startswith("sqlite://"):
            return "sqlite+aiosqlite://" + url[len("sqlite://") :]
        return url
