"""Dynamic variables: ``{{name}}`` placeholders filled from the client, the agent and the system."""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from parley.engine.errors import ConversationError

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")

Variables = Mapping[str, Any]


def placeholders(text: str) -> list[str]:
    """The variable names ``text`` refers to, in order."""
    return PLACEHOLDER.findall(text)


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def render(text: str, variables: Variables) -> str:
    """Replace every ``{{name}}``; a name with no value ends the call with 1008."""

    def value_of(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in variables:
            raise ConversationError(
                "missing_dynamic_variable",
                f"Missing required dynamic variable {name!r}: pass it in "
                "conversation_initiation_client_data.dynamic_variables or give the agent a "
                "placeholder in agent.dynamic_variables.dynamic_variable_placeholders.",
            )
        return _as_text(variables[name])

    return PLACEHOLDER.sub(value_of, text)


def system_variables(
    *, agent_id: str, conversation_id: str, started_at: float, now: float, timezone: str | None
) -> dict[str, Any]:
    """The ``system__*`` variables the platform provides."""
    utc = datetime.datetime.fromtimestamp(now, datetime.UTC)
    local = utc
    if timezone:
        try:
            local = utc.astimezone(ZoneInfo(timezone))
        except (KeyError, ValueError):
            timezone = None
    return {
        "system__agent_id": agent_id,
        "system__current_agent_id": agent_id,
        "system__conversation_id": conversation_id,
        "system__time_utc": utc.isoformat(timespec="seconds"),
        "system__time": local.strftime("%A, %H:%M %d %B %Y"),
        "system__timezone": timezone or "UTC",
        "system__call_duration_secs": int(now - started_at),
    }
