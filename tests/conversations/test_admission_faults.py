"""A call that cannot be admitted because the database fails is refused with a clear close
(1013, try again later), not dropped, and the server goes on serving."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError
from starlette.websockets import WebSocketDisconnect

from parley.app import create_app
from parley.settings import Settings
from tests.conftest import TEST_KEY
from tests.fakes.llm import FakeLLM, say


def test_storage_failure_at_admission_closes_with_1013(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(
        data_dir=tmp_path,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'parley.db'}",
        api_key=TEST_KEY,
        voice=False,
    )
    app = create_app(settings, llm_override=FakeLLM([say("Hello.")]))
    with TestClient(app, headers={"xi-api-key": TEST_KEY}) as client:
        created = client.post("/v1/convai/agents/create", json={"conversation_config": {}})
        agent_id = created.json()["agent_id"]
        store = app.state.services.conversation_store
        real_claim = store.claim

        async def locked(conversation_id: str, agent: str) -> bool:
            raise OperationalError("INSERT ...", {}, Exception("database is locked"))

        monkeypatch.setattr(store, "claim", locked)
        url = f"/v1/convai/conversation?agent_id={agent_id}"
        with client.websocket_connect(url) as ws, pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert (closed.value.code, closed.value.reason) == (
            1013,
            "the server cannot start a conversation right now; try again shortly",
        )
        monkeypatch.setattr(store, "claim", real_claim)  # the database is back
        with client.websocket_connect(url) as ws:
            ws.send_json({"type": "conversation_initiation_client_data"})
            assert ws.receive_json()["type"] == "conversation_initiation_metadata"
