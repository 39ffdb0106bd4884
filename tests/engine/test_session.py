"""Session set-up: dynamic variables and overrides (the contract checks before the call)."""

from __future__ import annotations

from typing import Any

import pytest

from parley.agents.view import resolve_agent
from parley.engine.errors import ConversationError
from tests.engine.harness import initiation, stored_agent


def session(config: dict[str, Any], platform: dict[str, Any] | None = None, **init: Any) -> Any:
    return resolve_agent(
        stored_agent(config, platform),
        initiation(**init) if init else None,
        "conv_1",
        1_700_000_000,
    ).view


GREETING = {
    "agent": {
        "first_message": "Hi {{name}}, you're on tier {{tier}}.",
        "prompt": {"prompt": "Agent {{system__agent_id}} in {{system__conversation_id}}."},
        "dynamic_variables": {"dynamic_variable_placeholders": {"tier": 1, "name": "guest"}},
    }
}


def test_variables_come_from_client_then_placeholders_then_system() -> None:
    resolved = session(GREETING, dynamic_variables={"name": "Ann", "vip": True})
    assert resolved.first_message == "Hi Ann, you're on tier 1."
    assert resolved.system_prompt == "Agent agent_test in conv_1."
    assert resolved.variables["vip"] is True
    assert resolved.variables["system__time_utc"].startswith("2023-11-14T22:13:20")


def test_missing_variable_is_a_1008_contract_error() -> None:
    config = {"agent": {"first_message": "Hello {{nobody}}"}}
    with pytest.raises(ConversationError) as error:
        session(config)
    assert (error.value.error_type, error.value.code) == ("missing_dynamic_variable", 1008)
    assert "nobody" in error.value.message


@pytest.mark.parametrize(
    "override",
    [
        {"agent": {"first_message": "Overridden"}},
        {"agent": {"prompt": {"prompt": "New prompt"}}},
        {"tts": {"voice_id": "other"}},
        {"asr": {"keywords": ["x"]}},
    ],
)
def test_overrides_the_agent_does_not_allow_are_refused(override: dict[str, Any]) -> None:
    with pytest.raises(ConversationError) as error:
        session({"agent": {"first_message": "Hi"}}, conversation_config_override=override)
    assert (error.value.error_type, error.value.code) == ("override_error", 1008)


def test_allowed_overrides_apply() -> None:
    platform = {
        "overrides": {
            "conversation_config_override": {
                "agent": {"first_message": True, "prompt": {"prompt": True}},
                "tts": {"voice_id": True},
            }
        }
    }
    resolved = session(
        {"agent": {"first_message": "Hi"}},
        platform,
        conversation_config_override={
            "agent": {"first_message": "Howdy", "prompt": {"prompt": "Pirate."}, "language": None},
            "tts": {"voice_id": "joe"},
            "conversation": {},
        },
    )
    assert (resolved.first_message, resolved.system_prompt) == ("Howdy", "Pirate.")
    assert resolved.voice_id == "joe"


def test_text_only_is_allowed_by_default_and_empty_members_are_no_override() -> None:
    resolved = session(
        {"agent": {"first_message": "Hi"}},
        conversation_config_override={"agent": {}, "tts": {}, "conversation": {"text_only": True}},
    )
    assert resolved.text_only is True


def test_custom_llm_extra_body_needs_permission() -> None:
    with pytest.raises(ConversationError) as error:
        session({}, custom_llm_extra_body={"top_k": 3})
    assert error.value.error_type == "override_error"
    allowed = session(
        {}, {"overrides": {"custom_llm_extra_body": True}}, custom_llm_extra_body={"top_k": 3}
    )
    assert allowed.custom_llm_extra_body == {"top_k": 3}
    assert session({}, custom_llm_extra_body={}).custom_llm_extra_body == {}


def test_invalid_override_value_is_an_override_error() -> None:
    platform = {"overrides": {"conversation_config_override": {"tts": {"speed": True}}}}
    with pytest.raises(ConversationError) as error:
        session({}, platform, conversation_config_override={"tts": {"speed": "fast"}})
    assert error.value.error_type == "override_error"
    assert "tts.speed" in error.value.message


MULTILINGUAL = {
    "agent": {"first_message": "Hello!", "language": "en", "prompt": {"prompt": "Be brief."}},
    "tts": {
        "voice_id": "joe",
        "supported_voices": [
            {"label": "Français", "voice_id": "ff_siwis", "language": "fr", "speed": 1.1},
        ],
    },
    "language_presets": {
        "fr": {
            "overrides": {"agent": {"prompt": {"prompt": "Sois bref."}}},
            "first_message_translation": {"source_hash": "x", "text": "Bonjour !"},
        }
    },
}
LANGUAGE_ALLOWED = {"overrides": {"conversation_config_override": {"agent": {"language": True}}}}


def test_the_agents_own_language_needs_no_preset() -> None:
    resolved = session(MULTILINGUAL, LANGUAGE_ALLOWED)
    assert (resolved.first_message, resolved.system_prompt) == ("Hello!", "Be brief.")
    assert resolved.voice_id == "joe"


def test_another_language_takes_its_preset_and_supported_voice() -> None:
    resolved = session(
        MULTILINGUAL, LANGUAGE_ALLOWED, conversation_config_override={"agent": {"language": "fr"}}
    )
    assert (resolved.language, resolved.first_message) == ("fr", "Bonjour !")
    assert resolved.system_prompt == "Sois bref."
    assert (resolved.voice_id, resolved.voice_speed) == ("ff_siwis", 1.1)


def test_the_clients_own_overrides_beat_the_preset() -> None:
    allowed = {
        "overrides": {
            "conversation_config_override": {"agent": {"language": True, "first_message": True}}
        }
    }
    resolved = session(
        MULTILINGUAL,
        allowed,
        conversation_config_override={"agent": {"language": "fr", "first_message": "Salut"}},
    )
    assert resolved.first_message == "Salut"
    assert resolved.system_prompt == "Sois bref."
