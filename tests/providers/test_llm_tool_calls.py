"""The lenient tool-call parser and the streaming speech/tool-call decision."""

from __future__ import annotations

import pytest

from parley.providers.llm.tool_calls import ParsedToolCall, ToolCallStream, parse_tool_calls

TOOLS = {"get_weather", "book_table", "end_call"}
WEATHER = ParsedToolCall("get_weather", {"location": "Paris"})


@pytest.mark.parametrize(
    "text",
    [
        '{"name": "get_weather", "arguments": {"location": "Paris"}}',
        '  \n{"name": "get_weather", "arguments": {"location": "Paris"}}\n',
        '```json\n{"name": "get_weather", "arguments": {"location": "Paris"}}\n```',
        '```\n{"name": "get_weather", "arguments": {"location": "Paris"}}\n```',
        '{{"name": "get_weather", "arguments": {"location": "Paris"}}}',
        '{{"name": "get_weather", "arguments": {{"location": "Paris"}}}}',
        '{"name": "get_weather", "parameters": {"location": "Paris"}}',
        '{"name": "get_weather", "arguments": "{\\"location\\": \\"Paris\\"}"}',
        '{"type": "function", "function": {"name": "get_weather", '
        '"arguments": "{\\"location\\": \\"Paris\\"}"}}',
        '<tool_call>\n{"name": "get_weather", "arguments": {"location": "Paris"}}\n</tool_call>',
    ],
)
def test_recognises_call_shapes(text: str) -> None:
    assert parse_tool_calls(text, TOOLS) == [WEATHER]


def test_drops_text_around_a_call_such_as_an_invented_result() -> None:
    text = (
        '{"name": "get_weather", "arguments": {"location": "Paris"}}\n'
        "The weather in Paris is sunny and 25 degrees."
    )
    assert parse_tool_calls(text, TOOLS) == [WEATHER]


def test_list_of_calls() -> None:
    text = (
        '[{"name": "get_weather", "arguments": {"location": "Paris"}}, '
        '{"name": "end_call", "arguments": {}}]'
    )
    assert parse_tool_calls(text, TOOLS) == [WEATHER, ParsedToolCall("end_call", {})]


def test_unknown_tools_in_a_list_are_dropped() -> None:
    text = '[{"name": "add", "arguments": {}}, {"name": "end_call", "arguments": {}}]'
    assert parse_tool_calls(text, TOOLS) == [ParsedToolCall("end_call", {})]


def test_calls_in_consecutive_objects_and_missing_arguments() -> None:
    text = '{"name": "end_call"}\n{"name": "get_weather", "arguments": {"location": "Paris"}}'
    assert parse_tool_calls(text, TOOLS) == [ParsedToolCall("end_call", {}), WEATHER]


@pytest.mark.parametrize(
    "text",
    [
        '{"name": "add", "arguments": {"a": 2, "b": 2}}',  # an invented tool
        '{"answer": 4}',
        '{"name": "get_weather", "arguments": [1, 2]}',
        '{"name": "get_weather", "arguments": "not json"}',
        "{not json at all",
        "The answer is four.",
        "",
    ],
)
def test_not_a_call(text: str) -> None:
    assert parse_tool_calls(text, TOOLS) == []


def test_no_tools_offered_means_no_calls() -> None:
    assert parse_tool_calls('{"name": "get_weather", "arguments": {}}', set()) == []


def _run(stream: ToolCallStream, deltas: list[str]) -> tuple[list[str], str, list[ParsedToolCall]]:
    emitted = [stream.feed(delta) for delta in deltas]
    rest, calls = stream.finish()
    return emitted, rest, calls


def test_plain_text_streams_from_the_first_chunk() -> None:
    emitted, rest, calls = _run(ToolCallStream(TOOLS), ["Sure", ", I can", " help."])
    assert emitted == ["Sure", ", I can", " help."]
    assert (rest, calls) == ("", [])


def test_text_with_braces_later_streams_at_once() -> None:
    deltas = ["Use", ' {"name": "get_weather", "arguments": {}}', " like that."]
    emitted, rest, calls = _run(ToolCallStream(TOOLS), deltas)
    assert emitted == deltas
    assert (rest, calls) == ("", [])


def test_leading_whitespace_waits_for_the_first_visible_character() -> None:
    emitted, rest, _ = _run(ToolCallStream(TOOLS), [" ", "\n", "Hi", "!"])
    assert emitted == ["", "", " \nHi", "!"]
    assert rest == ""


def test_bare_call_is_buffered_and_returned_without_text() -> None:
    deltas = [
        '{"name": "get_',
        'weather", "arguments": {"location": "Par',
        'is"}}',
        "\nIt is sunny.",
    ]
    stream = ToolCallStream(TOOLS)
    emitted, rest, calls = _run(stream, deltas)
    assert emitted == ["", "", "", ""]
    assert stream.buffering
    assert (rest, calls) == ("", [WEATHER])


def test_fenced_call_split_across_backticks() -> None:
    deltas = [
        "`",
        "``",
        "json\n",
        '{"name": "get_weather", ',
        '"arguments": {"location": "Paris"}}',
        "\n```",
    ]
    emitted, rest, calls = _run(ToolCallStream(TOOLS), deltas)
    assert set(emitted) == {""}
    assert (rest, calls) == ("", [WEATHER])


def test_tool_call_tag_is_buffered() -> None:
    deltas = [
        "<",
        "tool_call",
        '>\n{"name": "get_weather", "arguments": {"location": "Paris"}}',
        "\n</tool_call>",
    ]
    emitted, rest, calls = _run(ToolCallStream(TOOLS), deltas)
    assert set(emitted) == {""}
    assert (rest, calls) == ("", [WEATHER])


def test_other_markup_is_text() -> None:
    emitted, _, _ = _run(ToolCallStream(TOOLS), ["<", "b>Hi"])
    assert emitted == ["", "<b>Hi"]


def test_inline_code_is_text() -> None:
    emitted, rest, _ = _run(ToolCallStream(TOOLS), ["`", "ls", "` lists files"])
    assert emitted == ["", "`ls", "` lists files"]
    assert rest == ""


def test_json_that_is_not_a_call_is_emitted_as_text_at_the_end() -> None:
    deltas = ['{"answer"', ": 4}"]
    emitted, rest, calls = _run(ToolCallStream(TOOLS), deltas)
    assert emitted == ["", ""]
    assert (rest, calls) == ('{"answer": 4}', [])


def test_unknown_tool_is_emitted_as_text() -> None:
    text = '{"name": "add", "arguments": {"a": 2, "b": 2}}'
    emitted, rest, calls = _run(ToolCallStream(TOOLS), [text])
    assert (emitted, rest, calls) == ([""], text, [])


def test_without_tools_everything_is_text() -> None:
    text = '{"name": "get_weather", "arguments": {}}'
    emitted, rest, calls = _run(ToolCallStream(()), [text])
    assert (emitted, rest, calls) == ([text], "", [])


def test_empty_stream() -> None:
    assert ToolCallStream(TOOLS).finish() == ("", [])
