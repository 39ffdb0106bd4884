"""The console's files, the widget's public settings and what the settings and history pages
read (server info, API keys, the list filters), in-process (no browser, no models)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from elevenlabs import ElevenLabs
from elevenlabs.types import GetConversationsPageResponseModel
from fastapi.testclient import TestClient

from parley.agents.widget import WIDGET_DEFAULTS
from parley.api.server_info import cpu_info, database_info
from parley.clock import SystemClock
from parley.engine.transcript import ConversationSnapshot
from parley.providers.llm.base import LLMError
from parley.providers.llm.speed import measure_speed
from parley.storage.conversations import ConversationStore
from parley.storage.db import create_engine, session_factory
from tests.conftest import TEST_KEY
from tests.fakes.llm import FakeLLM, Reply, say
from tests.servers import ServerProcess


def test_console_page_is_served_without_a_key_under_a_strict_policy(client: TestClient) -> None:
    response = client.get("/", headers={"xi-api-key": ""})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert '<script type="module" src="/console/js/app.js">' in response.text
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy


def test_console_modules_and_the_widget_load_from_any_origin(client: TestClient) -> None:
    """Another site's page imports the session module and worklets in CORS mode."""
    for path in ("/console/js/talk/session.js", "/console/js/talk/playback-worklet.js"):
        response = client.get(path, headers={"origin": "https://shop.example"})
        assert response.status_code == 200, path
        assert "javascript" in response.headers["content-type"]
        assert response.headers["access-control-allow-origin"] == "*"
    widget = client.get("/widget.js")
    assert widget.status_code == 200
    assert widget.headers["content-type"].startswith("text/javascript")
    assert 'customElements.define("parley-convai"' in widget.text
    assert client.get("/console/nothing-here.js").status_code == 404


def test_widget_settings_need_no_key_and_merge_the_agent_widget(client: TestClient) -> None:
    created = client.post(
        "/v1/convai/agents/create",
        json={
            "conversation_config": {
                "agent": {"first_message": "Hi!", "language": "en"},
                "conversation": {"text_only": True},
            },
            "platform_settings": {
                "widget": {"variant": "full", "bg_color": "#102030", "action_text": "Ask us"},
                "auth": {"enable_auth": True},
            },
        },
    )
    agent_id = created.json()["agent_id"]

    response = client.get(f"/v1/convai/agents/{agent_id}/widget", headers={"xi-api-key": ""})

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    body = response.json()
    assert body["agent_id"] == agent_id
    config = body["widget_config"]
    assert config["variant"] == "full"
    assert config["bg_color"] == "#102030"
    assert config["action_text"] == "Ask us"
    assert config["placement"] == WIDGET_DEFAULTS["placement"]
    assert config["text_color"] == WIDGET_DEFAULTS["text_color"]
    assert config["first_message"] == "Hi!"
    assert config["text_only"] is True
    assert config["requires_auth"] is True
    assert "prompt" not in str(config), "nothing private leaks to the public endpoint"


def test_widget_settings_of_an_unknown_agent_are_404(client: TestClient) -> None:
    response = client.get("/v1/convai/agents/agent_missing/widget", headers={"xi-api-key": ""})
    assert response.status_code == 404
    assert response.json()["detail"]["status"] == "agent_not_found"


def test_voice_preview_of_an_unknown_voice_is_404(client: TestClient) -> None:
    response = client.get("/v1/voices/no_such_voice/preview")
    assert response.status_code == 404
    assert response.json()["detail"]["status"] == "voice_not_found"


def test_voice_preview_needs_the_key(client: TestClient) -> None:
    response = client.get("/v1/voices/joe/preview", headers={"xi-api-key": ""})
    assert response.status_code == httpx.codes.UNAUTHORIZED


def test_server_info_names_the_machine_and_the_models_without_loading_them(
    client: TestClient,
) -> None:
    """The settings page's facts; with preloading off nothing is loaded, so no speed yet."""
    response = client.get("/v1/parley/server")

    assert response.status_code == 200
    info = response.json()
    assert info["version"]
    assert info["database"]["kind"] == "sqlite"
    assert info["database"]["url"].endswith("parley.db")
    assert info["public_url"] is None
    assert info["cpu"]["cores"] == os.cpu_count()
    assert 1 <= info["cpu"]["usable_cores"] <= info["cpu"]["cores"]
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file() and "model name" in cpuinfo.read_text():
        assert info["cpu"]["model"] in cpuinfo.read_text()
    llm = info["embedded_llm"]
    assert llm == llm | {"model": "qwen2.5-coder-1.5b", "state": "not loaded", "speed": None}
    assert llm["decode_threads"] >= 1
    assert info["speech"] == {"enabled": True, "state": "not loaded", "models": []}
    assert info["llm_endpoints"] == []
    assert client.get("/v1/parley/server", headers={"xi-api-key": ""}).status_code == 401


def test_the_cpu_is_named_from_proc_cpuinfo_or_from_platform(tmp_path: Path) -> None:
    arm = tmp_path / "arm"
    arm.write_text("processor\t: 0\nBogoMIPS\t: 108.00\n\nModel\t\t: Raspberry Pi 5  Rev 1.0\n")
    assert cpu_info(arm).model == "Raspberry Pi 5 Rev 1.0"
    x86 = tmp_path / "x86"
    x86.write_text("processor\t: 0\nmodel name\t: AMD EPYC 7B13\nmodel name\t: AMD EPYC 7B13\n")
    assert cpu_info(x86).model == "AMD EPYC 7B13"
    assert cpu_info(tmp_path / "missing").model  # platform's answer, never empty


def test_a_database_password_is_never_shown() -> None:
    info = database_info("postgresql+asyncpg://parley:s3cret@db.internal:5432/parley")
    assert info.kind == "postgresql"
    assert "s3cret" not in info.url
    assert "db.internal" in info.url


def test_the_speed_is_measured_from_one_short_generation() -> None:
    """Decode speed counts from the first token (prompt reading is the first token's time)."""
    ticks = iter([10.0, 10.5, 12.5])  # started, first token, last token
    llm = FakeLLM([say("one", ", two", ", three", ", four", ", five")])
    speed = asyncio.run(measure_speed(llm, clock=lambda: next(ticks)))
    assert speed is not None
    assert (speed.tokens, speed.first_token_seconds, speed.tokens_per_second) == (5, 0.5, 2.0)
    assert llm.requests[0].max_tokens is not None, "a short generation, not a whole reply"


def test_a_speed_that_cannot_be_measured_is_none() -> None:
    failing = FakeLLM([Reply(error=LLMError("model broke", retryable=False))])
    assert asyncio.run(measure_speed(failing)) is None
    assert asyncio.run(measure_speed(FakeLLM([say("")]))) is None


def test_api_keys_are_listed_created_shown_once_and_revoked(client: TestClient) -> None:
    listed = client.get("/v1/parley/api-keys").json()["api_keys"]
    assert [key["name"] for key in listed] == ["PARLEY_API_KEY"]
    assert listed[0]["key_prefix"] == TEST_KEY[:8]
    assert "key_hash" not in listed[0]

    created = client.post("/v1/parley/api-keys", json={"name": "  ci-bot "})
    assert created.status_code == 200
    body = created.json()
    assert body["name"] == "ci-bot"
    new_key = body["api_key"]
    assert new_key.startswith(body["key_prefix"])
    assert client.get("/v1/convai/agents", headers={"xi-api-key": new_key}).status_code == 200
    listed = client.get("/v1/parley/api-keys").json()["api_keys"]
    assert new_key not in str(listed), "the plain key is shown once, at creation"

    assert client.delete(f"/v1/parley/api-keys/{body['key_id']}").status_code == 204
    assert client.get("/v1/convai/agents", headers={"xi-api-key": new_key}).status_code == 401
    revoked = next(
        k for k in client.get("/v1/parley/api-keys").json()["api_keys"] if k["name"] == "ci-bot"
    )
    assert revoked["revoked_at_unix_secs"] is not None
    again = client.delete(f"/v1/parley/api-keys/{body['key_id']}")
    assert again.status_code == 404
    assert again.json()["detail"]["status"] == "api_key_not_found"


def test_the_last_active_key_cannot_be_revoked(client: TestClient) -> None:
    only = client.get("/v1/parley/api-keys").json()["api_keys"][0]
    response = client.delete(f"/v1/parley/api-keys/{only['key_id']}")
    assert response.status_code == 409
    assert "create another one first" in response.json()["detail"]["message"]
    assert client.get("/v1/convai/agents").status_code == 200


@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": "   "}, {"name": "x" * 101}])
def test_a_new_key_needs_a_name(client: TestClient, body: dict[str, str]) -> None:
    response = client.post("/v1/parley/api-keys", json=body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "name"


@pytest.fixture
def sdk(server: ServerProcess) -> Iterator[ElevenLabs]:
    """The official SDK against a real server (on each database Parley supports)."""
    with httpx.Client(timeout=30) as connection:
        yield ElevenLabs(api_key=TEST_KEY, base_url=server.base_url, httpx_client=connection)


Call = tuple[str, str, str, int]  # conversation id, agent id, status, start (unix seconds)
DAY = 86_400
MAY_1 = 1_746_057_600  # 2025-05-01 00:00 UTC
# five calls of two agents over three days, in each status the history page shows
CALLS: list[Call] = [
    ("conv_a_done", "agent_a", "done", MAY_1 + 100),
    ("conv_a_failed", "agent_a", "failed", MAY_1 + DAY + 100),
    ("conv_a_live", "agent_a", "in-progress", MAY_1 + 2 * DAY + 100),
    ("conv_b_processing", "agent_b", "processing", MAY_1 + DAY + 200),
    ("conv_b_done", "agent_b", "done", MAY_1 + 2 * DAY + 200),
]


async def store_conversations(database_url: str, calls: list[Call]) -> None:
    """Calls written to a server's database as its engine would store them."""
    engine = create_engine(database_url)
    store = ConversationStore(session_factory(engine), SystemClock())
    try:
        for conversation_id, agent_id, status, started in calls:
            assert await store.claim(conversation_id, agent_id)
            await store.save(
                ConversationSnapshot(
                    conversation_id=conversation_id,
                    agent_id=agent_id,
                    status=status,  # type: ignore[arg-type]
                    started_at=float(started),
                    duration_secs=5,
                    transcript=[],
                    termination_reason=None,
                    user_id=None,
                    dynamic_variables={},
                )
            )
    finally:
        await engine.dispose()


def _ids(page: GetConversationsPageResponseModel) -> list[str]:
    return [c.conversation_id for c in page.conversations]


def test_the_history_filters_are_the_platforms_list_params(
    server: ServerProcess, sdk: ElevenLabs
) -> None:
    """agent_id, a start range (after inclusive, before exclusive) and exclude_statuses."""
    asyncio.run(store_conversations(server.database_url, CALLS))
    conversations = sdk.conversational_ai.conversations

    assert len(_ids(conversations.list())) == 5
    assert _ids(conversations.list(agent_id="agent_a")) == [
        "conv_a_live",
        "conv_a_failed",
        "conv_a_done",
    ]
    second_day = conversations.list(
        call_start_after_unix=MAY_1 + DAY, call_start_before_unix=MAY_1 + 2 * DAY
    )
    assert _ids(second_day) == ["conv_b_processing", "conv_a_failed"]
    only_done = conversations.list(
        exclude_statuses=["initiated", "in-progress", "processing", "failed"]
    )
    assert _ids(only_done) == ["conv_b_done", "conv_a_done"]
    assert {c.status for c in conversations.list(agent_id="agent_b").conversations} == {
        "processing",
        "done",
    }
    narrowed = conversations.list(
        agent_id="agent_a", call_start_after_unix=MAY_1 + DAY, exclude_statuses=["failed"]
    )
    assert _ids(narrowed) == ["conv_a_live"]


def test_filtered_pages_follow_the_cursor(server: ServerProcess, sdk: ElevenLabs) -> None:
    asyncio.run(store_conversations(server.database_url, CALLS))
    conversations = sdk.conversational_ai.conversations
    first = conversations.list(page_size=1, exclude_statuses=["failed", "processing"])
    assert first.has_more
    rest = conversations.list(
        page_size=10, cursor=first.next_cursor, exclude_statuses=["failed", "processing"]
    )
    assert _ids(first) + _ids(rest) == ["conv_b_done", "conv_a_live", "conv_a_done"]


def test_an_unknown_status_filter_is_a_422(client: TestClient) -> None:
    response = client.get("/v1/convai/conversations?exclude_statuses=finished")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "exclude_statuses", 0]
