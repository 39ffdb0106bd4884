"""Engine: client tools (round trip, timeout, assignments), end_call and skip_turn."""

from __future__ import annotations

from typing import Any

from parley.engine.phases import Phase
from parley.schemas import events as ev
from tests.engine.harness import Harness
from tests.fakes.llm import Reply, call, say

WEATHER_TOOL = {
    "type": "client",
    "name": "get_weather",
    "description": "Weather for a city",
    "response_timeout_secs": 10,
    "parameters": {
        "type": "object",
        "required": ["location"],
        "properties": {
            "location": {"type": "string", "description": "City"},
            "user": {"type": "string", "description": "Who asks", "dynamic_variable": "user_name"},
        },
    },
    "assignments": [{"source": "response", "dynamic_variable": "temp", "value_path": "now.temp"}],
}


def agent(*tools: dict[str, Any], **built_in: Any) -> dict[str, Any]:
    prompt: dict[str, Any] = {"prompt": "P", "tools": list(tools)}
    if built_in:
        prompt["built_in_tools"] = built_in
    return {
        "agent": {
            "first_message": "Hi",
            "prompt": prompt,
            "dynamic_variables": {"dynamic_variable_placeholders": {"user_name": "Ann"}},
        }
    }


def user(text: str) -> ev.UserMessage:
    return ev.UserMessage(type="user_message", text=text)


def result(call_id: str, value: Any, is_error: bool = False) -> ev.ClientToolResult:
    return ev.ClientToolResult(
        type="client_tool_result", tool_call_id=call_id, result=value, is_error=is_error
    )


async def test_client_tool_round_trip() -> None:
    h = await Harness(
        [call("get_weather", location="Paris"), say("It is 21 degrees.")], agent(WEATHER_TOOL)
    ).start()
    await h.send(user("Weather in Paris?"))
    sent = h.of("client_tool_call")[0].client_tool_call
    assert (sent.tool_name, sent.tool_call_id) == ("get_weather", "call_1")
    assert sent.parameters == {"location": "Paris", "user": "Ann"}, "bound variable filled in"
    assert h.llm.requests[0].tools[0].parameters["properties"].keys() == {"location"}
    assert len(h.llm.requests) == 1, "waits for the client"

    await h.send(result("call_1", {"now": {"temp": 21}}))
    response = h.of("agent_tool_response")[0].agent_tool_response
    assert (response.tool_name, response.tool_type, response.is_error) == (
        "get_weather",
        "client",
        False,
    )
    tool_message = h.llm.requests[1].messages[-1]
    assert (tool_message.role, tool_message.content) == ("tool", '{"now": {"temp": 21}}')
    assert h.said()[-1] == "It is 21 degrees."
    assert h.conversation.snapshot().dynamic_variables["temp"] == 21
    entry = next(t for t in h.recorder.last.transcript if t["tool_calls"])
    assert entry["tool_calls"][0]["tool_name"] == "get_weather"
    assert entry["tool_results"][0]["result_value"] == '{"now": {"temp": 21}}'
    await h.close()


async def test_client_tool_times_out_with_an_error_result() -> None:
    h = await Harness(
        [call("get_weather", location="Oslo"), say("Sorry, no data.")], agent(WEATHER_TOOL)
    ).start()
    await h.send(user("Weather in Oslo?"))
    await h.clock.advance(9.9)
    assert len(h.llm.requests) == 1
    await h.clock.advance(0.2)
    assert h.of("agent_tool_response")[0].agent_tool_response.is_error is True
    assert h.llm.requests[1].messages[-1].content.startswith("Error: The client did not answer")
    assert h.said()[-1] == "Sorry, no data."
    await h.send(result("call_1", "too late"))  # ignored, nothing breaks
    assert not h.conversation.ended.is_set()
    await h.close()


async def test_client_error_result_reaches_the_llm() -> None:
    h = await Harness(
        [call("get_weather", location="X"), say("That failed.")], agent(WEATHER_TOOL)
    ).start()
    await h.send(user("Weather?"))
    await h.send(result("call_1", "no such city", is_error=True))
    assert h.llm.requests[1].messages[-1].content == "Error: no such city"
    assert "temp" not in h.conversation.snapshot().dynamic_variables
    await h.close()


async def test_tool_without_expected_response_does_not_wait() -> None:
    tool = {**WEATHER_TOOL, "expects_response": False}
    h = await Harness([call("get_weather", location="Rome"), say("Done.")], agent(tool)).start()
    await h.send(user("Log Rome"))
    assert h.said()[-1] == "Done."
    await h.close()


async def test_end_call_says_goodbye_then_closes_normally() -> None:
    goodbye = Reply(text=["Goodbye!"], tool_calls=call("end_call").tool_calls)
    h = await Harness(
        [goodbye], agent(end_call={"type": "system", "name": "end_call", "params": {}})
    ).start()
    await h.send(user("Thanks, bye"))
    assert h.said()[-1] == "Goodbye!"
    tool = h.of("agent_tool_response")[-1].agent_tool_response
    assert (tool.tool_name, tool.tool_type) == ("end_call", "system")
    assert h.types().index("agent_response", 3) < h.types().index("agent_tool_response")
    assert h.conversation.ended.is_set()
    assert (h.conversation.close_code, h.recorder.last.status) == (1000, "done")
    await h.close()


async def test_skip_turn_stays_silent_until_the_user_speaks() -> None:
    config = agent(
        {"type": "system", "name": "skip_turn", "params": {"system_tool_type": "skip_turn"}}
    )
    config["turn"] = {"turn_timeout": 5}
    h = await Harness([call("skip_turn"), say("Welcome back.")], config).start()
    await h.send(user("Hold on a second"))
    assert h.said() == ["Hi"]
    assert h.conversation.phase is Phase.SILENT
    await h.clock.advance(30)
    assert len(h.llm.requests) == 1, "no re-engagement while skipping"
    await h.send(user("OK, I'm back"))
    assert h.said() == ["Hi", "Welcome back."]
    await h.close()


async def test_unknown_tool_is_reported_to_the_llm() -> None:
    h = await Harness([call("launch_rockets"), say("I can't do that.")], agent()).start()
    await h.send(user("Launch"))
    assert "no tool named" in h.llm.requests[1].messages[-1].content
    assert h.said()[-1] == "I can't do that."
    await h.close()


async def test_message_during_an_uninterruptible_tool_waits_its_turn() -> None:
    tool = {**WEATHER_TOOL, "disable_interruptions": True}
    h = await Harness(
        [call("get_weather", location="Paris"), say("21 degrees."), say("You're welcome.")],
        agent(tool),
    ).start()
    await h.send(user("Weather in Paris?"))
    await h.send(user("Thanks in advance"))
    assert h.said() == ["Hi"]
    await h.send(result("call_1", {"now": {"temp": 21}}))
    assert h.said() == ["Hi", "21 degrees.", "You're welcome."]
    await h.close()
