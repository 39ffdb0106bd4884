"""A lenient parser for tool calls that small local models write as plain JSON text.

Qwen2.5-Coder answers tool calls with bare or ```json-fenced JSON such as
``{"name": "get_weather", "arguments": {"location": "Paris"}}`` (once even with doubled
braces) instead of llama.cpp's native tool-call format, so the server has to recognise
them itself.  Only names of tools offered in the request count; everything else is speech.

:class:`ToolCallStream` makes that decision incrementally so that ordinary replies are
passed on token by token with no added latency, while anything that may be a call is held
back and never spoken (the models like to follow a call with an invented result).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any

_DECODER = json.JSONDecoder()
_OPENERS = ("```", "<tool_call>")  # a reply opening with one of these may be a call
_CALL_START = "{["  # a reply whose first character is one of these may be a call


@dataclass(frozen=True)
class ParsedToolCall:
    """A call found in the model's text; ``arguments`` is always a JSON object."""

    name: str
    arguments: dict[str, Any]


def parse_tool_calls(text: str, tool_names: Collection[str]) -> list[ParsedToolCall]:
    """Return the calls of known tools in ``text``; an empty list means "not a tool call".

    Every ``{`` or ``[`` is tried as the start of a JSON value, so fences and prose around the
    JSON do not matter.  If nothing is found, the text is tried again with doubled braces
    (``{{ ... }}``) collapsed, a variant the 1.5B model produced once.
    """
    if not tool_names or not any(c in text for c in _CALL_START):
        return []
    calls = list(_scan(text, tool_names))
    if not calls and ("{{" in text or "}}" in text):
        calls = list(_scan(text.replace("{{", "{").replace("}}", "}"), tool_names))
    return calls


def _scan(text: str, tool_names: Collection[str]) -> Iterator[ParsedToolCall]:
    """Yield calls from every JSON value in ``text``, skipping over the ones it consumed."""
    index = 0
    while (start := _next_start(text, index)) >= 0:
        try:
            value, end = _DECODER.raw_decode(text, start)
        except json.JSONDecodeError:
            index = start + 1
            continue
        calls = _as_calls(value, tool_names)
        if calls:
            yield from calls
            index = end
        else:  # not a call itself, but a call may be nested inside (e.g. {"tool_calls": [...]})
            index = start + 1


def _next_start(text: str, index: int) -> int:
    positions = [p for p in (text.find("{", index), text.find("[", index)) if p >= 0]
    return min(positions, default=-1)


def _as_calls(value: Any, tool_names: Collection[str]) -> list[ParsedToolCall]:
    """Interpret one JSON value as a call or a list of calls (unknown tools in it are dropped)."""
    items = value if isinstance(value, list) else [value]
    calls = (_as_call(item, tool_names) for item in items)
    return [call for call in calls if call is not None]


def _as_call(value: Any, tool_names: Collection[str]) -> ParsedToolCall | None:
    """Accept ``{"name", "arguments" | "parameters"}``, also wrapped as ``{"function": ...}``."""
    if not isinstance(value, dict):
        return None
    if isinstance(value.get("function"), dict):  # OpenAI shape: {"type": "function", ...}
        value = value["function"]
    name = value.get("name")
    if not isinstance(name, str) or name not in tool_names:
        return None
    arguments = _arguments(value.get("arguments", value.get("parameters")))
    if arguments is None:
        return None
    return ParsedToolCall(name=name, arguments=arguments)


def _arguments(raw: Any) -> dict[str, Any] | None:
    """Arguments may be missing (a tool without parameters), an object or a JSON string."""
    if raw is None or raw == "":
        return {}
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            return None
    return raw if isinstance(raw, dict) else None


class ToolCallStream:
    """Decides, as early as possible, whether a streamed reply is speech or a tool call.

    ``feed`` returns the text that may be spoken right away.  A reply whose first visible
    character is ``{`` or ``[``, or that opens with a ``` fence or the ``<tool_call>`` tag the
    chat template shows the model in its history, is buffered to the end; then
    ``finish`` parses it and returns either the calls (and no text) or the buffered text.
    Replies with no tools offered, or that start any other way, are passed straight through.
    """

    def __init__(self, tool_names: Collection[str]) -> None:
        self._tool_names = frozenset(tool_names)
        self._buffer: list[str] = []
        self._mode = "undecided" if self._tool_names else "text"  # or "text" / "buffer"

    @property
    def buffering(self) -> bool:
        """True once the reply looks like a possible call and text is being held back."""
        return self._mode == "buffer"

    def feed(self, delta: str) -> str:
        """Take the next piece of generated text; return what can be emitted now."""
        if self._mode == "text":
            return delta
        self._buffer.append(delta)
        if self._mode == "undecided":
            self._mode = _classify("".join(self._buffer))
            if self._mode == "text":
                return self._take_buffer()
        return ""

    def finish(self) -> tuple[str, list[ParsedToolCall]]:
        """End of stream: return ``(text still to emit, calls)``; one of them is empty."""
        text = self._take_buffer()
        if self._mode == "buffer":
            calls = parse_tool_calls(text, self._tool_names)
            if calls:
                return "", calls
        return text, []

    def _take_buffer(self) -> str:
        text = "".join(self._buffer)
        self._buffer.clear()
        return text


def _classify(prefix: str) -> str:
    """Classify the start of a reply as ``text``, ``buffer`` or still ``undecided``."""
    head = prefix.lstrip()
    if not head:
        return "undecided"
    if head[0] in _CALL_START or head.startswith(_OPENERS):
        return "buffer"
    if any(opener.startswith(head) for opener in _OPENERS):  # e.g. "``": wait for more
        return "undecided"
    return "text"
