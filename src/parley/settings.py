"""Server settings, read from the environment in exactly one place.

Every setting has a ``PARLEY_`` environment variable; ``parley serve`` flags override them.
The resulting :class:`Settings` object is frozen and handed down explicitly; no other module
reads ``os.environ``.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class EndpointSettings(BaseModel):
    """An operator-configured OpenAI-compatible endpoint for one ``llm`` name."""

    url: str
    model_id: str | None = None
    api_key: SecretStr | None = None
    headers: dict[str, str] = {}


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
    public_url: str | None = Field(
        default=None,
        description="How clients reach this server (e.g. https://voice.example.com); signed "
        "URLs are built from it. Default: the scheme and host of each request.",
    )
    local_llm: str = Field(
        default="qwen2.5-coder-1.5b",
        description="The embedded model: qwen2.5-coder-1.5b, qwen2.5-coder-0.5b, or a .gguf path.",
    )
    models_dir: Path | None = Field(
        default=None,
        description="Where assembled model files are kept (default: <data dir>/models).",
    )
    llm_threads: int | None = Field(
        default=None,
        ge=1,
        description="CPU threads for the local LLM's decoding (default: all cores but one).",
    )
    llm_prompt_threads: int | None = Field(
        default=None,
        ge=1,
        description="CPU threads for the local LLM's prompt processing (default: all cores).",
    )
    llm_endpoints: dict[str, EndpointSettings] = Field(
        default_factory=dict,
        description="JSON map from the spec's llm names to OpenAI-compatible endpoints, e.g. "
        '{"gpt-4o-mini": {"url": "http://127.0.0.1:8080/v1", "model_id": "qwen"}}.',
    )
    llm_timeout_seconds: float = Field(default=20.0, gt=0)
    preload_models: bool = Field(
        default=True, description="Load the local models at start-up rather than on first use."
    )
    voice: bool = Field(
        default=True,
        description="Hear and speak (VAD, Whisper, TTS); off: every conversation is text-only.",
    )
    voice_threads: int = Field(default=2, ge=1, description="CPU threads for speech-to-text.")
    tts_threads: int = Field(
        default=1,
        ge=1,
        description="CPU threads for text-to-speech, which runs while the LLM writes the reply.",
    )
    ping_interval_seconds: float = Field(default=5.0, gt=0)
    shutdown_grace_seconds: float = Field(
        default=30.0,
        ge=0,
        description="On SIGTERM (or Ctrl-C): new calls are refused at once and live calls get "
        "this long to end by themselves before they are closed (1001) and stored.",
    )
    initiation_timeout_seconds: float = Field(
        default=3.0, gt=0, description="How long to wait for conversation_initiation_client_data."
    )
    max_conversations: int = Field(
        default=1000, ge=1, description="Server-wide cap on concurrent conversations."
    )
    public_rate_per_minute: float = Field(
        default=60.0,
        ge=0,
        description="New conversations per minute one client address may open on public "
        "agents without a signed URL (0: no limit).",
    )
    public_rate_burst: int = Field(
        default=20, ge=1, description="How many of those it may open at once."
    )
    ws_max_message_bytes: int = Field(
        default=1024 * 1024,
        ge=4096,
        description="Largest WebSocket message a client may send (larger: closed with 1009).",
    )
    idle_timeout_seconds: float = Field(
        default=60.0,
        gt=0,
        description="A conversation socket that receives nothing for this long is closed "
        "(1002 transport_receive_timeout).",
    )
    send_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        description="A client that takes longer than this to accept one message is dropped.",
    )
    audio_burst_seconds: float = Field(
        default=10.0,
        gt=0,
        description="How far ahead of real time a client's audio may run before the call is "
        "closed (1008).",
    )

    def resolved_models_dir(self) -> Path:
        return self.models_dir or self.data_dir / "models"

    def resolved_database_url(self) -> str:
        """The configured database URL, or the SQLite file in the data dir."""
        return self.database_url or f"sqlite:///{self.data_dir.resolve() / 'parley.db'}"
