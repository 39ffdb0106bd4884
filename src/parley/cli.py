"""The ``parley`` command: run the server and manage API keys."""

from __future__ import annotations

import asyncio
import datetime
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from parley import serving
from parley.app import create_app
from parley.clock import SystemClock
from parley.ids import IdFactory
from parley.services import Services, open_services
from parley.settings import Settings

app = typer.Typer(
    help="Parley: a self-hosted ElevenLabs Agents Platform server.", no_args_is_help=True
)
keys = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)
app.add_typer(keys, name="keys")

T = TypeVar("T")

DataDir = Annotated[
    Path | None, typer.Option(help="Where Parley keeps its files (env PARLEY_DATA_DIR).")
]
DatabaseUrl = Annotated[
    str | None, typer.Option(help="SQLAlchemy database URL (env PARLEY_DATABASE_URL).")
]


def _settings(**flags: Any) -> Settings:
    """Environment settings with the flags that were given on top."""
    given = {name: value for name, value in flags.items() if value is not None}
    return Settings(**given)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind (env PARLEY_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to bind (env PARLEY_PORT).")] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Start the server (migrates the database first)."""
    settings = _settings(host=host, port=port, data_dir=data_dir, database_url=database_url)
    configure_logging(settings.log_level)
    try:
        serving.run(create_app(settings), settings)
    except serving.BindError as error:  # raised before the start-up prints a key or "ready"
        typer.echo(f"parley: {error}", err=True)
        raise typer.Exit(1) from error


def configure_logging(level_name: str) -> None:
    """Parley's own loggers at ``level_name``; other libraries at INFO at most verbose, so
    that ``debug`` follows a conversation turn by turn (with millisecond times) instead of
    every WebSocket frame and SQL statement."""
    level = logging.getLevelName(level_name.upper())
    logging.basicConfig(
        level=max(level, logging.INFO),
        format="%(asctime)s.%(msecs)03d %(levelname)s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )
    logging.getLogger("parley").setLevel(level)


def _with_services(settings: Settings, action: Callable[[Services], Awaitable[T]]) -> T:
    async def run() -> T:
        clock = SystemClock()
        services = await open_services(settings, clock, IdFactory(clock))
        try:
            return await action(services)
        finally:
            await services.close()

    return asyncio.run(run())


def _when(millis: int | None) -> str:
    if millis is None:
        return "-"
    return datetime.datetime.fromtimestamp(millis / 1000, datetime.UTC).strftime("%Y-%m-%d %H:%M")


@keys.command("create")
def create_key(
    name: Annotated[str, typer.Option(help="A label to recognise the key by.")] = "cli",
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Create a key and print it (it is stored hashed and never shown again)."""
    settings = _settings(data_dir=data_dir, database_url=database_url)
    info, key = _with_services(settings, lambda s: s.api_keys.create(name))
    typer.echo(key)
    typer.echo(
        f"created {info.key_id} ({name}); store the key now, it is not shown again", err=True
    )


@keys.command("list")
def list_keys(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """List keys: id, name, first characters, created, revoked."""
    settings = _settings(data_dir=data_dir, database_url=database_url)
    for info in _with_services(settings, lambda s: s.api_keys.list()):
        typer.echo(
            f"{info.key_id}\t{info.name}\t{info.key_prefix}…\t"
            f"created {_when(info.created_at_ms)}\trevoked {_when(info.revoked_at_ms)}"
        )


@keys.command("revoke")
def revoke_key(
    key_id: Annotated[str, typer.Argument(help="The key id shown by `parley keys list`.")],
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Revoke a key: requests with it get 401 from then on."""
    settings = _settings(data_dir=data_dir, database_url=database_url)
    if not _with_services(settings, lambda s: s.api_keys.revoke(key_id)):
        typer.echo(f"no active key {key_id}; see `parley keys list`", err=True)
        raise typer.Exit(1)
    typer.echo(f"revoked {key_id}")
