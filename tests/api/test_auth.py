"""API keys: every REST call needs one; keys are created, listed and revoked with the CLI."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from parley.app import create_app
from parley.settings import Settings
from parley.storage.api_keys import hash_key
from tests.conftest import TEST_KEY
from tests.servers import ServerProcess


def test_health_and_docs_need_no_key(client: TestClient) -> None:
    anonymous = {"xi-api-key": ""}
    assert client.get("/health", headers=anonymous).json() == {"status": "ok"}
    assert client.get("/docs", headers=anonymous).status_code == 200
    spec = client.get("/openapi.json", headers=anonymous).json()
    assert "/v1/convai/agents/create" in spec["paths"]


@pytest.mark.parametrize(
    ("headers", "status"),
    [({}, "missing_api_key"), ({"xi-api-key": "sk_not_a_key"}, "invalid_api_key")],
)
def test_rest_calls_without_a_valid_key_get_401(
    client: TestClient, headers: dict[str, str], status: str
) -> None:
    client.headers.pop("xi-api-key")
    response = client.get("/v1/convai/agents", headers=headers)
    assert response.status_code == 401
    assert response.json()["detail"]["status"] == status
    create = client.post(
        "/v1/convai/agents/create", json={"conversation_config": {}}, headers=headers
    )
    assert create.status_code == 401


def first_start(tmp_path: Path) -> tuple[TestClient, io.StringIO]:
    settings = Settings(
        data_dir=tmp_path,
        database_url=f"sqlite+aiosqlite:///{tmp_path}/p.db",
        preload_models=False,
    )
    announce = io.StringIO()
    return TestClient(create_app(settings, announce=announce)), announce


def test_first_start_creates_one_key_and_prints_it_once(tmp_path: Path) -> None:
    client, announce = first_start(tmp_path)
    with client:
        printed = [line.strip() for line in announce.getvalue().splitlines()]
        keys = [line for line in printed if line.startswith("sk_")]
        assert len(keys) == 1
        assert client.get("/v1/convai/agents", headers={"xi-api-key": keys[0]}).status_code == 200

    client, announce = first_start(tmp_path)
    with client:
        assert announce.getvalue() == "", "the key is shown only at the very first start"
        assert client.get("/v1/convai/agents", headers={"xi-api-key": keys[0]}).status_code == 200

    stored = (tmp_path / "p.db").read_bytes()
    assert keys[0].encode() not in stored, "keys are stored hashed"
    assert hash_key(keys[0]).encode() in stored


def parley(server: ServerProcess, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the ``parley`` CLI on the same database as ``server``."""
    env = {"PATH": "/usr/bin:/bin", "PARLEY_DATABASE_URL": server.database_url}
    return subprocess.run(
        [sys.executable, "-m", "parley", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_keys_cli_creates_lists_and_revokes(server: ServerProcess) -> None:
    created = parley(server, "keys", "create", "--name", "ci-bot")
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip()
    assert key.startswith("sk_")

    url = f"{server.base_url}/v1/convai/agents"
    assert httpx.get(url, headers={"xi-api-key": key}).status_code == 200

    listing = parley(server, "keys", "list")
    assert listing.returncode == 0, listing.stderr
    line = next(row for row in listing.stdout.splitlines() if "ci-bot" in row)
    assert key not in listing.stdout, "listing never shows a whole key"
    key_id = line.split("\t")[0]

    revoked = parley(server, "keys", "revoke", key_id)
    assert revoked.returncode == 0, revoked.stderr
    assert httpx.get(url, headers={"xi-api-key": key}).status_code == 401
    assert httpx.get(url, headers={"xi-api-key": TEST_KEY}).status_code == 200

    again = parley(server, "keys", "revoke", key_id)
    assert again.returncode == 1
    assert "no active key" in again.stderr
