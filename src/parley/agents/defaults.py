"""The values an agent gets for every field its creator left out.

They follow what the platform returns from ``GET /v1/convai/agents/{id}`` for a freshly created
agent, so that clients comparing configs see the same shape.  Where the platform's value makes
no sense for a self-hosted server, the difference is noted beside it.
"""

from __future__ import annotations

from typing import Any

# A client tool that expects a response waits this long when its config sets none.
DEFAULT_TOOL_RESPONSE_TIMEOUT_SECS = 20

DEFAULT_CLIENT_EVENTS: list[str] = [
    "audio",
    "interruption",
    "user_transcript",
    "agent_response",
    "agent_response_correction",
    "client_tool_call",
    "agent_tool_response",
]

DEFAULT_CONVERSATION_CONFIG: dict[str, Any] = {
    "asr": {
        "quality": "high",
        "provider": "elevenlabs",
        "user_input_audio_format": "pcm_16000",
        "keywords": [],
    },
    "turn": {
        "turn_timeout": 7.0,
        "silence_end_call_timeout": -1.0,
        "soft_timeout_config": {"timeout_seconds": -1.0, "message": "Hhmmmm...yeah."},
        "turn_eagerness": "normal",
    },
    "tts": {
        "model_id": "eleven_flash_v2",
        "voice_id": "cjVigY5qzO86Huf0OWal",
        "supported_voices": [],
        "agent_output_audio_format": "pcm_16000",
        "optimize_streaming_latency": 3,
        "stability": 0.5,
        "speed": 1.0,
        "similarity_boost": 0.8,
        "pronunciation_dictionary_locators": [],
    },
    "conversation": {
        "text_only": False,
        "max_duration_seconds": 600,
        "client_events": DEFAULT_CLIENT_EVENTS,
    },
    "language_presets": {},
    "vad": {},
    "agent": {
        "first_message": "",
        "language": "en",
        "dynamic_variables": {"dynamic_variable_placeholders": {}},
        "disable_first_message_interruptions": False,
        "prompt": {
            "prompt": "",
            "llm": "gemini-2.5-flash",
            "temperature": 0.0,
            "max_tokens": -1,
            "tool_ids": [],
            "built_in_tools": {},
            "mcp_server_ids": [],
            "native_mcp_server_ids": [],
            "knowledge_base": [],
            "ignore_default_personality": False,
            "rag": {
                "enabled": False,
                "embedding_model": "e5_mistral_7b_instruct",
                "max_vector_distance": 0.6,
                "max_documents_length": 50000,
                "max_retrieved_rag_chunks_count": 20,
            },
            "backup_llm_config": {"preference": "default"},
            "tools": [],
        },
    },
}

DEFAULT_PLATFORM_SETTINGS: dict[str, Any] = {
    "evaluation": {"criteria": []},
    "data_collection": {},
    "overrides": {
        "conversation_config_override": {
            "turn": {"soft_timeout_config": {"message": False}},
            "tts": {
                "voice_id": False,
                "stability": False,
                "speed": False,
                "similarity_boost": False,
            },
            "conversation": {"text_only": True},
            "agent": {
                "first_message": False,
                "language": False,
                "prompt": {"prompt": False, "llm": False, "native_mcp_server_ids": False},
            },
        },
        "custom_llm_extra_body": False,
        "enable_conversation_initiation_client_data_from_webhook": False,
    },
    "archived": False,
    "auth": {"enable_auth": False, "allowlist": []},
    "call_limits": {"agent_concurrency_limit": -1, "daily_limit": 100000, "bursting_enabled": True},
    "privacy": {
        "record_voice": True,
        "retention_days": -1,
        "delete_transcript_and_pii": False,
        "delete_audio": False,
        "apply_to_existing_conversations": False,
        "zero_retention_mode": False,
    },
}

# Keys the platform always returns on workflow nodes (the JS SDK rejects a response without
# them), by node type.  Some of them (entry_behavior, outcome, preserve_*) postdate the spec:
# Parley shows them with the platform's defaults but does not store or act on them yet.
WORKFLOW_NODE_DEFAULTS: dict[str, dict[str, Any]] = {
    "start": {},
    "end": {"outcome": "success"},
    "override_agent": {
        "conversation_config": {},
        "additional_prompt": "",
        "additional_knowledge_base": [],
        "additional_tool_ids": [],
        "entry_behavior": "auto",
    },
    "standalone_agent": {
        "delay_ms": 0,
        "enable_transferred_agent_first_message": False,
        "preserve_client_tts_overrides": False,
        "preserve_voice_settings": False,
    },
    "tool": {"tools": []},
    "phone_number": {
        "custom_sip_headers": [],
        "transfer_type": "conference",
        "sip_refer_play_dialtone": False,
    },
}
WORKFLOW_COMMON_NODE_DEFAULTS: dict[str, Any] = {"position": {"x": 0.0, "y": 0.0}, "edge_order": []}
WORKFLOW_DEFAULTS: dict[str, Any] = {"edges": {}, "nodes": {}, "prevent_subagent_loops": False}
