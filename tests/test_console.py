"""The console's files and the widget's public settings, in-process (no browser, no models)."""

from __future__ import annotations

import httpx
from fastapi.testclient import TestClient

from parley.agents.widget import WIDGET_DEFAULTS


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
