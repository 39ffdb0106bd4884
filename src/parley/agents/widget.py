"""What the embeddable widget needs to draw itself: ``platform_settings.widget`` with the
platform's defaults, plus the few agent facts it shows (language, first message, text only)."""

from __future__ import annotations

from typing import Any

from parley.agents.defaults import DEFAULT_CONVERSATION_CONFIG
from parley.storage.agents import StoredAgent

# The defaults the platform answers for an agent that never set its widget.
WIDGET_DEFAULTS: dict[str, Any] = {
    "variant": "compact",
    "placement": "bottom-right",
    "expandable": "never",
    "avatar": {"type": "orb", "color_1": "#2792dc", "color_2": "#9ce6e6"},
    "feedback_mode": "none",
    "bg_color": "#ffffff",
    "text_color": "#000000",
    "btn_color": "#000000",
    "btn_text_color": "#ffffff",
    "border_color": "#e1e1e1",
    "focus_color": "#000000",
    "border_radius": None,
    "btn_radius": None,
    "action_text": None,
    "start_call_text": None,
    "end_call_text": None,
    "expand_text": None,
    "listening_text": None,
    "speaking_text": None,
    "mic_muting_enabled": False,
    "transcript_enabled": False,
    "text_input_enabled": True,
    "default_expanded": False,
    "always_expanded": False,
    "text_contents": {},
    "styles": {},
    "supports_text_only": True,
}


def widget_config(agent: StoredAgent) -> dict[str, Any]:
    """The ``widget_config`` of ``GET /v1/convai/agents/{id}/widget``."""
    config = agent.conversation_config
    agent_section = config.get("agent", {})
    stored = agent.platform_settings.get("widget") or {}
    return {
        **WIDGET_DEFAULTS,
        **{key: value for key, value in stored.items() if value is not None},
        "language": agent_section.get("language")
        or DEFAULT_CONVERSATION_CONFIG["agent"]["language"],
        "first_message": agent_section.get("first_message") or None,
        "text_only": bool(config.get("conversation", {}).get("text_only", False)),
        "requires_auth": bool(agent.platform_settings.get("auth", {}).get("enable_auth")),
    }
