"""The web console in real Chromium against a real server with every embedded model:
the API key prompt, agents and their form (422 errors at the field), a voice call with a
recording of human speech as the microphone, a text chat, history with the latency
waterfall, the embeddable widget on another site, and the phone layout.

Screenshots go to tests/artifacts/ (git-ignored); docs/ keeps two of them for the README.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.browser import chromium, collect_errors, microphone_wav, screenshot, static_site
from tests.conftest import TEST_KEY
from tests.console.test_console import DAY, MAY_1, store_conversations
from tests.end_to_end.test_conversation_python_sdk import WEATHER_TOOL
from tests.human_speech import human_speech
from tests.servers import ServerProcess

pytestmark = [pytest.mark.slow_model, pytest.mark.browser]

PHONE: ViewportSize = {"width": 390, "height": 844}
TEXT_ONLY = {"conversation": {"text_only": True}}
VOICE_EVENTS = [
    "audio",
    "interruption",
    "user_transcript",
    "agent_response",
    "agent_response_correction",
]
LONG_FIRST_MESSAGE = (
    "Hello and welcome to the concierge desk. I can help you with restaurant bookings, taxis, "
    "museum tickets and the weather, and I can tell you about the city and its history. "
    "What would you like to know today?"
)


@pytest.fixture
def rest(llm_server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=llm_server.base_url, headers={"xi-api-key": TEST_KEY}, timeout=60
    ) as client:
        yield client


def create_agent(
    rest: httpx.Client,
    name: str,
    first_message: str,
    prompt: dict[str, Any],
    conversation: dict[str, Any] | None = None,
    platform_settings: dict[str, Any] | None = None,
) -> str:
    """An agent; ``conversation`` adds sections of its conversation_config (turn, ...)."""
    body = {
        "name": name,
        "conversation_config": {
            "agent": {"first_message": first_message, "prompt": prompt},
            **(conversation or {}),
        },
        "platform_settings": platform_settings or {},
    }
    response = rest.post("/v1/convai/agents/create", json=body)
    assert response.status_code == 200, response.text
    agent_id: str = response.json()["agent_id"]
    return agent_id


def console_page(browser: Browser, server: ServerProcess, path: str = "") -> tuple[Page, list[str]]:
    """A console tab that already holds the API key (as after the key prompt)."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = collect_errors(page)
    page.goto(f"{server.base_url}/")
    page.evaluate("key => localStorage.setItem('parley.apiKey', key)", TEST_KEY)
    page.goto(f"{server.base_url}/{path}")
    return page, errors


def host_page(server: ServerProcess, agent_id: str, title: str) -> str:
    """Another site's page that embeds the agent with the two lines the README shows."""
    return (
        f"<!doctype html><html lang='en'><head><title>{title}</title></head><body>"
        f"<h1>{title}</h1><script src='{server.base_url}/widget.js'></script>"
        f"<parley-convai agent-id='{agent_id}'></parley-convai></body></html>"
    )


def fits_the_screen(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def wait_for_stored_metric(rest: httpx.Client, conversation_id: str, metric: str) -> None:
    deadline = time.monotonic() + 90
    transcript: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        transcript = rest.get(f"/v1/convai/conversations/{conversation_id}").json()["transcript"]
        metrics = [e.get("conversation_turn_metrics", {}).get("metrics", {}) for e in transcript]
        if any(metric in m for m in metrics):
            return
        time.sleep(0.5)
    said = [(e["role"], e["message"], e["interrupted"]) for e in transcript]
    raise AssertionError(f"no {metric} stored for {conversation_id}: {said}")


def edit_json(page: Page, change: dict[str, Any]) -> None:
    """Merge ``change`` into the JSON editor's document, as a person typing would."""
    editor = page.get_by_label("Full configuration (JSON)")
    document = json.loads(editor.input_value())
    document["conversation_config"].update(change)
    editor.fill(json.dumps(document, indent=2))


def test_key_prompt_agents_and_the_agent_form(
    llm_server: ServerProcess, rest: httpx.Client
) -> None:
    with chromium() as browser:
        page = browser.new_page(
            viewport={"width": 1280, "height": 900},
            permissions=["clipboard-read", "clipboard-write"],
        )
        errors = collect_errors(page)
        page.goto(f"{llm_server.base_url}/")
        expect(page.get_by_role("heading", name="Connect to Parley")).to_be_visible()
        screenshot(page, "01-api-key")
        page.get_by_label("API key").fill("sk_not_a_key")
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("alert")).to_have_text("That API key was refused.")
        page.get_by_label("API key").fill(TEST_KEY)
        page.get_by_label("API key").press("Enter")  # the keyboard is enough
        expect(page.get_by_role("heading", name="Agents")).to_be_visible()

        page.get_by_role("link", name="New agent").click()
        page.get_by_label("Name").fill("Form agent")
        page.get_by_label("System prompt").fill("You are terse.")
        page.get_by_label("First message").fill("Hi there.")
        voice = page.get_by_label("Voice", exact=True)
        expect(voice.locator("option[value='af_heart']")).to_be_attached(timeout=60_000)
        voice.select_option("af_heart")
        page.get_by_label("Turn eagerness").select_option("patient")
        tentative = page.get_by_label("Send the user's words while they speak")
        expect(tentative).to_be_checked()  # new agents send them: the talk page shows them
        tentative.uncheck()
        tools = page.get_by_label("Tools (JSON list)")
        tools.fill('[{"type": "client", "name": "get_weather"}]')  # no description
        edit_json(page, {"asr": {"user_input_audio_format": "mp3_1"}})
        page.get_by_role("button", name="Create agent").click()

        # each 422 problem is shown at the field that owns it, and listed on top
        expect(page.locator(".error-summary")).to_contain_text("2 fields to fix")
        tools_field = page.locator(".field[data-path='conversation_config.agent.prompt.tools']")
        expect(tools_field.locator(".field-error")).to_contain_text("description: Field required")
        expect(tools).to_have_attribute("aria-invalid", "true")
        expect(page.locator(".error-summary")).to_be_focused()
        json_field = page.locator(".field[data-path='json']")
        expect(json_field.locator(".field-error")).to_contain_text(
            "conversation_config.asr.user_input_audio_format"
        )
        screenshot(page, "02-agent-form-errors")

        tools.fill(json.dumps([WEATHER_TOOL]))
        edit_json(page, {"asr": {"user_input_audio_format": "pcm_16000"}})
        page.get_by_role("button", name="Create agent").click()
        expect(page.get_by_role("heading", name="Edit Form agent")).to_be_visible()
        agent_id = page.evaluate("location.hash").removeprefix("#/agents/")
        created = page.locator(".notice.ok")
        expect(created).to_contain_text("Form agent was created.")
        expect(created.locator("code")).to_have_text(agent_id)
        expect(created.get_by_role("link", name="Talk to it now")).to_be_visible()
        snippet = page.get_by_label("Widget snippet").input_value()
        assert f'<script src="{llm_server.base_url}/widget.js" async></script>' in snippet
        assert f'<parley-convai agent-id="{agent_id}"></parley-convai>' in snippet
        page.get_by_role("button", name="Copy snippet").click()
        expect(page.get_by_role("button", name="Copied")).to_be_visible()
        assert page.evaluate("navigator.clipboard.readText()") == snippet
        screenshot(page, "02-agent-created")
        stored = rest.get(f"/v1/convai/agents/{agent_id}").json()["conversation_config"]
        assert stored["tts"]["voice_id"] == "af_heart"
        assert stored["turn"]["turn_eagerness"] == "patient"
        assert stored["agent"]["first_message"] == "Hi there."
        assert stored["agent"]["prompt"]["tools"][0]["name"] == "get_weather"
        events = stored["conversation"]["client_events"]
        assert "tentative_user_transcript" not in events
        assert {"audio", "agent_response", "client_tool_call"} <= set(events)

        page.get_by_role("button", name="Preview voice").click()
        preview = page.locator("audio.preview")
        expect(preview).to_be_visible(timeout=60_000)
        page.wait_for_function(
            "() => document.querySelector('audio.preview').duration > 1", timeout=30_000
        )

        page.get_by_label("First message").fill("Welcome back.")
        page.get_by_role("button", name="Save changes").click()
        expect(page.get_by_text("Saved.", exact=True)).to_be_visible()
        stored = rest.get(f"/v1/convai/agents/{agent_id}").json()["conversation_config"]
        assert stored["agent"]["first_message"] == "Welcome back."
        assert stored["tts"]["voice_id"] == "af_heart", "a save keeps what it did not change"

        page.get_by_role("link", name="Agents").click()
        expect(page.get_by_role("link", name="Talk to Form agent")).to_be_visible()
        screenshot(page, "03-agents")
        page.set_viewport_size(PHONE)
        assert fits_the_screen(page)
        screenshot(page, "04-agents-phone")
        page.goto(f"{llm_server.base_url}/#/agents/{agent_id}")
        expect(page.get_by_role("heading", name="Edit Form agent")).to_be_visible()
        expect(page.locator(".notice.ok")).to_have_count(0)  # said once, after the create
        assert fits_the_screen(page)
        screenshot(page, "05-agent-form-phone")
    assert errors == []
    pasted = f"<!doctype html><title>Pasted</title>{snippet}"
    with static_site({"index.html": pasted}) as site, chromium() as browser:
        page = browser.new_page()
        errors = collect_errors(page)
        page.goto(f"{site}/")
        expect(page.get_by_role("region", name="Voice assistant")).to_be_visible()
        expect(page.get_by_role("button", name="Start a call")).to_be_visible()
    assert errors == [], "the pasted snippet draws the widget"


def test_voice_call_with_human_speech_then_its_history(
    llm_server: ServerProcess, rest: httpx.Client, tmp_path: Path
) -> None:
    """The recording starts while the long first message plays: the agent is interrupted,
    hears the question and answers aloud; the stored call shows its latency waterfall."""
    agent_id = create_agent(
        rest,
        "Concierge",
        LONG_FIRST_MESSAGE,
        {"prompt": "You are a friendly concierge. Answer in one sentence.", "temperature": 0},
        {
            "turn": {"turn_eagerness": "eager"},
            "conversation": {"client_events": [*VOICE_EVENTS, "tentative_user_transcript"]},
        },
    )
    microphone = microphone_wav(
        tmp_path / "mic.wav", (7.0, human_speech("clone-test")), (60.0, None)
    )
    with chromium(microphone) as browser:
        page, errors = console_page(browser, llm_server, f"#/talk/{agent_id}")
        page.get_by_role("button", name="Start conversation").click()
        state = page.locator(".state")
        expect(state).to_have_text("Speaking", timeout=60_000)  # the first message
        page.wait_for_function(
            "() => window.parleyConsole.session.stats.interruptions >= 1", timeout=60_000
        )
        played = page.evaluate("window.parleyConsole.session.stats.played")
        page.wait_for_timeout(500)
        after = page.evaluate("window.parleyConsole.session.stats.played") - played
        assert after < 0.15 * 16000, f"the queue was flushed at the interruption ({after})"
        expect(page.locator(".tentative")).not_to_be_empty()  # words while they are spoken
        # the question was heard: "Thinking…" may be shown for only ~100 ms before the reply
        page.wait_for_function(
            "() => window.parleyConsole.session.statesSeen.includes('thinking')", timeout=60_000
        )
        page.wait_for_function(
            """() => {
                const session = window.parleyConsole?.session;
                return session && session.stats.interruptions >= 1
                    && document.querySelectorAll('.transcript li.agent').length >= 2
                    && session.stats.replyAudible > 8000 && session.state === 'listening';
            }""",
            timeout=150_000,
        )
        # the engine stores first_audio_sent once the whole reply is sent: let it finish
        conversation_id = page.evaluate("window.parleyConsole.session.conversationId")
        wait_for_stored_metric(rest, conversation_id, "first_audio_sent")
        page.wait_for_function("() => window.parleyConsole.session.state === 'listening'")
        log = page.get_by_role("log", name="Transcript")
        expect(log.locator("li.user")).to_contain_text("America")
        expect(log.locator("li.agent.interrupted")).to_have_count(1)
        stats = page.evaluate("window.parleyConsole.session.stats")
        assert stats["replyAudible"] > 16000 * 0.5, f"the reply was heard: {stats}"
        expect(page.locator(".state")).to_have_text("Listening")
        screenshot(page, "06-talk")
        page.set_viewport_size(PHONE)
        assert fits_the_screen(page)
        screenshot(page, "07-talk-phone")
        page.set_viewport_size({"width": 1280, "height": 900})

        page.get_by_role("button", name="Mute").click()
        expect(page.get_by_role("button", name="Unmute")).to_have_attribute("aria-pressed", "true")
        assert page.evaluate(
            "() => window.parleyConsole.session.microphone.stream.getAudioTracks()"
            ".every((track) => !track.enabled)"
        ), "muting turns the microphone track off"
        page.get_by_role("button", name="End call").click()
        expect(page.locator(".after")).to_contain_text("You ended the call.")
        page.get_by_role("link", name="See this conversation").click()
        waterfall = page.locator(".waterfall")
        expect(waterfall).to_contain_text("First audio", timeout=30_000)
        expect(waterfall.locator(".segment.stage-2").first).to_be_visible()
        expect(page.locator(".transcript li.user")).to_contain_text("America")
        screenshot(page, "08-conversation-waterfall")
        page.set_viewport_size(PHONE)
        assert fits_the_screen(page)
        page.set_viewport_size({"width": 1280, "height": 900})

        page.get_by_role("link", name="Back to history").click()
        expect(page.locator("table.conversations tbody tr")).to_have_count(1)
        expect(page.get_by_label("Agent")).to_have_value(agent_id)
        screenshot(page, "09-history")
    assert errors == []


def test_text_chat_with_a_signed_url_agent_and_its_tool_calls(
    llm_server: ServerProcess, rest: httpx.Client
) -> None:
    """A text-only agent that requires a signed URL: the console fetches one with the key,
    answers the agent's client tool call with "not available", and the history shows it."""
    agent_id = create_agent(
        rest,
        "Weather chat",
        "Ask me about the weather.",
        {
            "prompt": "You are a weather assistant. Always call get_weather for "
            "weather questions. Answer in one short sentence.",
            "temperature": 0.0,
            "tools": [WEATHER_TOOL],
        },
        TEXT_ONLY,
        {"auth": {"enable_auth": True}},
    )
    with chromium() as browser:
        page, errors = console_page(browser, llm_server, f"#/talk/{agent_id}")
        page.get_by_role("button", name="Start chat").click()
        log = page.get_by_role("log", name="Transcript")
        expect(log.locator("li.agent .text").first).to_have_text(
            "Ask me about the weather.", timeout=60_000
        )
        message = page.get_by_label("Message")
        expect(message).to_be_focused()
        message.fill("What is the weather in Paris?")
        message.press("Enter")
        expect(log.locator("li.tool").first).to_contain_text(
            "get_weather: not available in the console", timeout=90_000
        )
        expect(log.locator("li.agent")).to_have_count(2, timeout=90_000)
        expect(log.locator("li.user .text")).to_have_text(["What is the weather in Paris?"])
        conversation_id = page.evaluate("window.parleyConsole.session.conversationId")
        page.get_by_role("button", name="End call").click()
        expect(page.locator(".after")).to_contain_text("You ended the call.")

        page.goto(f"{llm_server.base_url}/#/conversations/{conversation_id}")
        expect(page.locator(".transcript .tool").first).to_contain_text("get_weather")
        expect(page.locator(".transcript")).to_contain_text("Paris")
        screenshot(page, "10-conversation-tools")
    assert errors == []


def test_widget_on_another_site(llm_server: ServerProcess, rest: httpx.Client) -> None:
    """``<parley-convai>`` on a page of another origin draws itself from the agent's widget
    settings (fetched without a key) and holds a chat."""
    agent_id = create_agent(
        rest,
        "Widget agent",
        "Hi, I am the shop assistant.",
        {"prompt": "You help shoppers. Answer in one short sentence."},
        TEXT_ONLY,
        {
            "widget": {
                "variant": "full",
                "placement": "bottom-left",
                "bg_color": "#102030",
                "text_color": "#ffffff",
                "btn_color": "#ffb000",
                "btn_text_color": "#000000",
                "action_text": "Questions about your order?",
                "start_call_text": "Chat with us",
                "end_call_text": "Close chat",
            }
        },
    )
    host = host_page(llm_server, agent_id, "A shop somewhere else")
    with static_site({"index.html": host}) as site, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        errors = collect_errors(page)
        page.goto(f"{site}/")
        widget = page.get_by_role("region", name="Voice assistant")
        expect(widget).to_contain_text("Questions about your order?")
        box = widget.bounding_box()
        assert box is not None
        assert box["x"] < 100, "placement bottom-left"
        assert box["y"] + box["height"] > 700
        background = widget.evaluate("node => getComputedStyle(node).backgroundColor")
        assert background == "rgb(16, 32, 48)"
        page.get_by_role("button", name="Chat with us").click()
        log = widget.get_by_role("log", name="Transcript")
        expect(log.locator("li").first).to_have_text("Hi, I am the shop assistant.", timeout=60_000)
        widget.get_by_label("Message").fill("Do you sell umbrellas?")
        widget.get_by_label("Message").press("Enter")
        expect(log.locator("li.agent")).to_have_count(2, timeout=90_000)
        expect(log.locator("li.user")).to_have_text(["Do you sell umbrellas?"])
        screenshot(page, "11-widget")
        page.get_by_role("button", name="Close chat").click()
        expect(page.get_by_role("button", name="Chat with us")).to_be_visible()
    assert errors == []


def test_widget_voice_call_on_another_site(
    llm_server: ServerProcess, rest: httpx.Client, tmp_path: Path
) -> None:
    """By voice, the widget loads Parley's audio worklets across origins (CORS) and the
    agent's answer reaches the page's speakers."""
    agent_id = create_agent(
        rest,
        "Voice widget agent",
        "Hello.",
        {"prompt": "You are a friendly assistant. Answer in one sentence."},
        {"turn": {"turn_eagerness": "eager"}},
        {"widget": {"variant": "compact", "transcript_enabled": True, "placement": "top"}},
    )
    host = host_page(llm_server, agent_id, "A blog")
    microphone = microphone_wav(tmp_path / "mic.wav", (3.0, human_speech("beckett")), (60.0, None))
    with static_site({"index.html": host}) as site, chromium(microphone) as browser:
        page = browser.new_page(viewport=PHONE)
        errors = collect_errors(page)
        page.goto(f"{site}/")
        page.get_by_role("button", name="Start a call").click()
        widget = page.get_by_role("region", name="Voice assistant")
        log = widget.get_by_role("log", name="Transcript")
        expect(log.locator("li.user").first).to_contain_text("tried", timeout=120_000)
        page.wait_for_function(
            """() => {
                const session = document.querySelector('parley-convai').session;
                return session && session.stats.replyAudible > 8000;
            }""",
            timeout=150_000,
        )
        expect(log.locator("li.agent")).not_to_have_count(0)
        screenshot(page, "12-widget-voice-phone")
        page.get_by_role("button", name="End call").click()
        expect(page.get_by_role("button", name="Start a call")).to_be_visible()
    assert errors == []


def test_agent_page_shows_ignored_settings_and_dropped_fields(
    llm_server: ServerProcess, rest: httpx.Client
) -> None:
    """Settings Parley stores but does not act on are listed on the agent's page; a save that
    drops a misspelt field says which, and so does a create."""
    agent_id = create_agent(
        rest,
        "Knowledge agent",
        "Hi.",
        {"prompt": "Be brief.", "knowledge_base": [{"type": "text", "name": "FAQ", "id": "d1"}]},
    )
    with chromium() as browser:
        page, errors = console_page(browser, llm_server, f"#/agents/{agent_id}")
        ignored = page.locator(".config-notice.ignored")
        expect(ignored).to_contain_text("Settings Parley does not act on")
        expect(ignored).to_contain_text("conversation_config.agent.prompt.knowledge_base")
        expect(page.locator(".config-notice.dropped")).to_have_count(0)

        editor = page.get_by_label("Full configuration (JSON)")
        document = json.loads(editor.input_value())
        document["conversation_config"]["agent"]["firstmessage"] = "Hello there."
        editor.fill(json.dumps(document, indent=2))
        page.get_by_role("button", name="Save changes").click()
        dropped = page.locator(".config-notice.dropped")
        expect(dropped).to_contain_text("Not saved: 1 unknown field")
        expect(dropped.locator("code")).to_have_text(["conversation_config.agent.firstmessage"])
        expect(page.locator(".saved")).to_have_text(
            "Saved. 1 unknown field was dropped: see the top of the page."
        )
        expect(ignored).to_contain_text("knowledge_base")  # still listed after the save
        screenshot(page, "14-agent-config-notices")

        page.goto(f"{llm_server.base_url}/#/agents/new")
        editor = page.get_by_label("Full configuration (JSON)")
        document = json.loads(editor.input_value())
        document["conversation_config"]["turn"]["turn_eagernes"] = "eager"
        editor.fill(json.dumps(document, indent=2))
        page.get_by_role("button", name="Create agent").click()
        expect(page.get_by_role("heading", name="Edit My assistant")).to_be_visible()
        expect(page.locator(".config-notice.dropped code")).to_have_text(
            ["conversation_config.turn.turn_eagernes"]
        )
        expect(page.locator(".config-notice.ignored")).to_have_count(0)
    assert errors == []


def test_settings_page_shows_the_machine_models_voices_and_keys(
    llm_server: ServerProcess, rest: httpx.Client
) -> None:
    """The CPU, the speed the embedded model showed when it loaded, the installed voices; a key
    made here is shown once, works, and is refused once revoked."""
    info = rest.get("/v1/parley/server").json()
    with chromium() as browser:
        page, errors = console_page(browser, llm_server, "#/settings")
        page.on("dialog", lambda dialog: dialog.accept())
        expect(page.get_by_role("heading", name="Settings")).to_be_visible()
        settings = page.locator(".settings")
        expect(settings).to_contain_text(info["cpu"]["model"])
        expect(settings).to_contain_text(f"Parley {info['version']}")
        expect(settings).to_contain_text("sqlite")
        # preloaded at start-up, then measured: the page asks again until the figure is there
        expect(settings).to_contain_text("tokens/s", timeout=120_000)
        speed = rest.get("/v1/parley/server").json()["embedded_llm"]["speed"]
        assert speed["tokens_per_second"] > 0
        expect(settings).to_contain_text(f"{speed['tokens_per_second']:.1f} tokens/s")
        voices = page.locator("table.voices")
        expect(voices).to_contain_text("af_heart", timeout=60_000)
        installed = rest.get("/v1/voices").json()["voices"]
        expect(voices.locator("tbody tr")).to_have_count(len(installed))
        expect(settings).to_contain_text("(this browser)")
        screenshot(page, "13-settings")

        page.get_by_label("Name of the new key").fill("browser test")
        page.get_by_role("button", name="Create key").click()
        new_key = page.get_by_label("The new API key").input_value()
        assert new_key.startswith("sk_")
        expect(page.locator(".created-key")).to_contain_text("it will not be shown again")
        assert rest.get("/v1/convai/agents", headers={"xi-api-key": new_key}).status_code == 200
        page.get_by_role("button", name="Revoke browser test").click()
        row = page.locator("table.keys tbody tr", has_text="browser test")
        expect(row).to_contain_text("Revoked")
        expect(row.get_by_role("button")).to_have_count(0)
        assert rest.get("/v1/convai/agents", headers={"xi-api-key": new_key}).status_code == 401
        page.set_viewport_size(PHONE)
        assert fits_the_screen(page)
        screenshot(page, "13-settings-phone")
    assert errors == []


def test_history_filters_and_the_status_column(
    llm_server: ServerProcess, rest: httpx.Client
) -> None:
    """Agent, status and date filters narrow the list (and stay in the address); every row says
    where its call stands."""
    first = create_agent(rest, "Filter agent A", "Hi.", {"prompt": "Be brief."})
    second = create_agent(rest, "Filter agent B", "Hi.", {"prompt": "Be brief."})
    noon = MAY_1 + DAY // 2  # the same local day from UTC-11 to UTC+11
    calls = [
        (f"conv_{first}_1", first, "done", noon),
        (f"conv_{first}_2", first, "failed", noon + DAY),
        (f"conv_{first}_3", first, "in-progress", noon + 2 * DAY),
        (f"conv_{second}_1", second, "processing", noon + DAY + 60),
    ]
    asyncio.run(store_conversations(llm_server.database_url, calls))
    with chromium() as browser:
        page, errors = console_page(browser, llm_server, f"#/history/{first}")
        rows = page.locator("table.conversations tbody tr")
        expect(rows).to_have_count(3)
        expect(rows.locator(".badge")).to_have_text(["In progress", "Failed", "Done"])

        page.get_by_label("Status", exact=True).select_option("failed")
        expect(rows).to_have_count(1)
        expect(rows.locator(".badge")).to_have_text(["Failed"])
        assert "status=failed" in page.evaluate("location.hash")

        page.get_by_label("Status", exact=True).select_option("")
        expect(rows).to_have_count(3)
        page.get_by_label("From", exact=True).fill("2025-05-02")
        expect(rows).to_have_count(2)
        page.get_by_label("To", exact=True).fill("2025-05-02")
        expect(rows).to_have_count(1)
        page.get_by_label("Agent", exact=True).select_option("")  # every agent, that day
        expect(rows.locator(".badge")).to_have_text(["Processing", "Failed"])
        expect(rows.nth(0)).to_contain_text("Filter agent B")
        page.reload()
        expect(rows).to_have_count(2)
        expect(page.get_by_label("From", exact=True)).to_have_value("2025-05-02")
        screenshot(page, "15-history-filters")

        page.get_by_label("To", exact=True).fill("2025-05-01")
        expect(page.get_by_role("alert")).to_have_text(
            "The start of the date range is after its end."
        )
        page.get_by_role("link", name="Clear filters").click()
        expect(page.get_by_label("From", exact=True)).to_have_value("")
        expect(rows.filter(has_text="Filter agent A")).to_have_count(3)
    assert errors == []


def test_a_new_call_starts_unmuted(
    llm_server: ServerProcess, rest: httpx.Client, tmp_path: Path
) -> None:
    """Mute, end the call, start again: the button and the microphone are on again."""
    agent_id = create_agent(rest, "Mute agent", "Hi.", {"prompt": "Answer in one sentence."})
    microphone = microphone_wav(tmp_path / "mic.wav", (60.0, None))
    tracks_on = (
        "() => window.parleyConsole?.session.microphone?.stream.getAudioTracks()"
        ".every((track) => track.enabled)"
    )
    with chromium(microphone) as browser:
        page, errors = console_page(browser, llm_server, f"#/talk/{agent_id}")
        mute = page.locator(".controls button[aria-pressed]")
        page.get_by_role("button", name="Start conversation").click()
        page.wait_for_function(tracks_on, timeout=60_000)
        mute.click()
        expect(mute).to_have_text("Unmute")
        expect(mute).to_have_attribute("aria-pressed", "true")
        assert not page.evaluate(tracks_on)
        page.get_by_role("button", name="End call").click()
        expect(page.locator(".after")).to_contain_text("You ended the call.")
        expect(mute).to_have_text("Mute")

        page.get_by_role("button", name="Start again").click()
        page.wait_for_function(tracks_on, timeout=60_000)
        expect(mute).to_be_enabled()
        expect(mute).to_have_text("Mute")
        expect(mute).to_have_attribute("aria-pressed", "false")
        mute.click()  # and the button still mutes the new call's microphone
        expect(mute).to_have_text("Unmute")
        assert not page.evaluate(tracks_on)
        page.get_by_role("button", name="End call").click()
    assert errors == []
