"""Shared fixtures: databases (SQLite and a real PostgreSQL), real servers, in-process apps."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import looptime
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from parley.app import create_app
from parley.services import Services
from parley.settings import Settings
from parley.storage.db import async_url
from tests.servers import ServerProcess

TEST_KEY = "sk_test_" + "0" * 40
DATA = Path(__file__).parent / "data"
POSTGRES_ENV = "PARLEY_TEST_POSTGRES_URL"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The engine's async tests run on looptime's virtual loop time (tests/virtual_clock.py);
    elsewhere a test asks for it with ``pytest.mark.virtual_time`` (never one that talks to a
    real database or server: their timeouts would expire at once)."""
    for item in items:
        module, function = getattr(item, "module", None), getattr(item, "function", None)
        if module is None or not asyncio.iscoroutinefunction(function):
            continue
        if module.__name__.startswith("tests.engine."):
            item.add_marker(pytest.mark.virtual_time)


@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> Any:
    """Run a ``virtual_time`` test's event loop on looptime's fast-forwarded time.

    looptime's own pytest plugin (disabled in pyproject.toml) looks up a loop for every
    test, sync ones too, and leaves the loop it creates for those unclosed; this does the
    same for the marked async tests only, whose loop pytest-asyncio has set already."""
    is_async = pyfuncitem.get_closest_marker("asyncio") is not None  # pytest-asyncio's mark
    if is_async and pyfuncitem.get_closest_marker("virtual_time") is not None:
        # the test's own loop (function scope, closed after it): patched, time compaction on
        loop = asyncio.get_event_loop_policy().get_event_loop()
        assert isinstance(loop, asyncio.BaseEventLoop), "pytest-asyncio's loop"
        looptime.patch_event_loop(loop)
    return (yield)


def load_json(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((DATA / name).read_text())
    return document


@pytest.fixture
def full_agent() -> dict[str, Any]:
    """An agent body that sets every section of the spec's agent config."""
    return load_json("full_agent.json")


def _postgres_admin_url() -> str:
    url = os.environ.get(POSTGRES_ENV)
    if url:
        return url
    if os.environ.get("CI"):
        pytest.fail(f"{POSTGRES_ENV} is not set: run the suite through scripts/test.sh")
    pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV} (scripts/test.sh starts a server)")


async def _admin(url: str, statement: str) -> None:
    """Run ``statement`` outside a transaction (CREATE and DROP DATABASE refuse to run in one)."""
    engine = create_async_engine(async_url(url), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh, empty database on the test PostgreSQL server, dropped afterwards."""
    admin = _postgres_admin_url()
    name = f"parley_test_{secrets.token_hex(6)}"
    asyncio.run(_admin(admin, f'CREATE DATABASE "{name}"'))
    try:
        yield admin.rsplit("/", 1)[0] + f"/{name}"
    finally:
        asyncio.run(_admin(admin, f'DROP DATABASE "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database of each kind Parley supports."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'parley.db'}"
        return
    with postgres_database() as url:
        yield url


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[ServerProcess]:
    """A real server on 127.0.0.1 with ``TEST_KEY`` as its bootstrap key."""
    process = ServerProcess(tmp_path / "server", database_url, TEST_KEY)
    process.data_dir.mkdir()
    process.start()
    try:
        yield process
    finally:
        process.stop()


def in_process_settings(data_dir: Path, **overrides: Any) -> Settings:
    """Settings for the app in-process on SQLite in ``data_dir``, with ``TEST_KEY``."""
    return Settings(
        data_dir=data_dir,
        database_url=f"sqlite+aiosqlite:///{data_dir / 'parley.db'}",
        api_key=TEST_KEY,
        **overrides,
    )


def socket_test_settings(data_dir: Path, **overrides: Any) -> Settings:
    """For conversations with a scripted LLM: the protocol, not the speech models, is tested."""
    return in_process_settings(
        data_dir,
        **{"ping_interval_seconds": 60, "initiation_timeout_seconds": 0.5, "voice": False}
        | overrides,
    )


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    """The app in-process on SQLite, authenticated with ``TEST_KEY``."""
    settings = in_process_settings(
        tmp_path,
        max_request_bytes=64 * 1024,
        preload_models=False,  # REST tests never talk to a model
    )
    with TestClient(create_app(settings), headers={"xi-api-key": TEST_KEY}) as test_client:
        yield test_client


def services_of(client: TestClient) -> Services:
    """The services of the app ``client`` runs (started: the client is open)."""
    app = client.app
    assert isinstance(app, FastAPI), app
    services: Services = app.state.services
    return services


@pytest.fixture(scope="session")
def llm_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One real server with the embedded model (the default, Qwen2.5-Coder 1.5B) loaded,
    shared by every test that holds a conversation with the real LLM."""
    data = tmp_path_factory.mktemp("llm-server")
    process = ServerProcess(
        data,
        f"sqlite+aiosqlite:///{data / 'parley.db'}",
        TEST_KEY,
        {
            "PARLEY_PRELOAD_MODELS": "true",
            "PARLEY_PING_INTERVAL_SECONDS": "0.5",
            # a slow CI box must not turn into llm_timeout: these tests are not about timeouts
            "PARLEY_LLM_TIMEOUT_SECONDS": "60",
            # e.g. PARLEY_TEST_SERVER_LOG_LEVEL=debug to follow a flaky voice test turn by turn
            "PARLEY_LOG_LEVEL": os.environ.get("PARLEY_TEST_SERVER_LOG_LEVEL", "info"),
        },
    )
    process.start(timeout=300)
    try:
        yield process
    finally:
        process.stop()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """In CI nothing may be skipped: a skip there means an install step is missing."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if os.environ.get("CI") and report.skipped:
        report.outcome = "failed"
        report.longrepr = f"skipped in CI (fix the set-up in scripts/test.sh): {report.longrepr}"
