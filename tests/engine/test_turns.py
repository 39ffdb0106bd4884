"""Engine: start, user turns, history, interruptions and event filtering (text mode)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import pytest

from parley.providers.llm.base import LLMError
from parley.schemas import events as ev
from tests.engine.harness import Harness, initiation
from tests.fakes.llm import Reply, say

AGENT = {
    "agent": {"first_message": "Hello! How can I help?", "prompt": {"prompt": "Be brief."}},
    "conversation": {
        "client_events": [
            "user_transcript",
            "agent_response",
            "internal_tentative_agent_response",
            "interruption",
        ]
    },
}


def user(text: str) -> ev.UserMessage:
    return ev.UserMessage(type="user_message", text=text)


@pytest.fixture
async def harness() -> AsyncIterator[Harness]:
    h = Harness([say("It is ", "sunny."), say("Bye.")], AGENT)
    await h.start()
    yield h
    await h.close()


async def test_start_sends_metadata_first_then_the_first_message(harness: Harness) -> None:
    metadata = harness.events[0]
    assert isinstance(metadata, ev.ConversationInitiationMetadata)
    body = metadata.conversation_initiation_metadata_event
    assert (body.conversation_id, body.agent_output_audio_format) == ("conv_test", "pcm_16000")
    assert body.user_input_audio_format == "pcm_16000"
    assert harness.said() == ["Hello! How can I help?"]
    assert harness.recorder.last.status == "in-progress"


async def test_user_message_streams_a_reply(harness: Harness) -> None:
    await harness.send(user("Weather?"))
    assert harness.types()[2:] == [
        "user_transcript",
        "internal_tentative_agent_response",
        "internal_tentative_agent_response",
        "agent_response",
    ]
    tentative = [
        e.tentative_agent_response_internal_event.tentative_agent_response
        for e in harness.of("internal_tentative_agent_response")
    ]
    assert tentative == ["It is ", "It is sunny."]
    assert harness.said()[-1] == "It is sunny."
    request = harness.llm.requests[0]
    assert [(m.role, m.content) for m in request.messages] == [
        ("system", "Be brief."),
        ("assistant", "Hello! How can I help?"),
        ("user", "Weather?"),
    ]
    ids = [e.agent_response_event.event_id for e in harness.of("agent_response")]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)


async def test_transcript_is_stored_after_every_turn(harness: Harness) -> None:
    await harness.send(user("Weather?"))
    transcript = harness.recorder.last.transcript
    assert [(t["role"], t["message"]) for t in transcript] == [
        ("agent", "Hello! How can I help?"),
        ("user", "Weather?"),
        ("agent", "It is sunny."),
    ]


async def test_contextual_update_joins_history_without_a_reply(harness: Harness) -> None:
    await harness.send(ev.ContextualUpdate(type="contextual_update", text="On pricing page"))
    await harness.send(
        ev.ContextualUpdate(type="contextual_update", text="Cart: 1 item", context_id="cart")
    )
    await harness.send(
        ev.ContextualUpdate(type="contextual_update", text="Cart: 2 items", context_id="cart")
    )
    assert harness.said() == ["Hello! How can I help?"]
    await harness.send(user("What's in my cart?"))
    contents = [m.content for m in harness.llm.requests[0].messages]
    assert "Context update: On pricing page" in contents
    assert "Context update: Cart: 2 items" in contents
    assert "Context update: Cart: 1 item" not in contents


async def test_a_new_message_interrupts_a_slow_reply() -> None:
    h = Harness([Reply(text=["Let me think", " about that"], delay=5.0), say("Sure.")], AGENT)
    await h.start()
    await h.send(user("First question"))
    await h.clock.advance(1.0)
    await h.send(user("Actually, never mind"))
    assert h.said() == ["Hello! How can I help?", "Sure."]
    transcript = h.recorder.last.transcript
    assert [t["message"] for t in transcript if t["role"] == "user"] == [
        "First question",
        "Actually, never mind",
    ]
    await h.close()


async def test_client_events_filter_what_is_sent() -> None:
    h = Harness([say("Hi.")], {**AGENT, "conversation": {"client_events": ["agent_response"]}})
    await h.start()
    await h.send(user("Hello"))
    assert set(h.types()) == {"conversation_initiation_metadata", "agent_response"}
    await h.close()


async def test_chat_response_parts_when_asked_for() -> None:
    h = Harness(
        [say("A", "B")],
        {**AGENT, "conversation": {"client_events": ["agent_chat_response_part"]}},
    )
    await h.start()
    await h.send(user("Hello"))
    parts = [
        (p.text_response_part.type, p.text_response_part.text)
        for p in h.of("agent_chat_response_part")
    ]
    assert parts == [("start", ""), ("delta", "A"), ("delta", "B"), ("stop", "")]
    await h.close()


async def test_llm_failure_ends_with_a_1002_error() -> None:
    h = Harness([Reply(error=LLMError("boom"))], AGENT)
    await h.start()
    await h.send(user("Hello"))
    assert h.conversation.ended.is_set()
    assert h.conversation.close_code == 1002
    error = h.of("error")[0].error_event
    assert (error.code, error.error_type) == (1002, "llm_error")
    assert h.recorder.last.status == "failed"
    await h.close()


async def test_pings_carry_the_measured_round_trip() -> None:
    h = Harness([], AGENT, ping_interval=2.0)
    await h.start()
    await h.clock.advance(2.0)
    first = h.of("ping")[0].ping_event
    assert first.ping_ms is None
    await h.clock.advance(0.05)
    await h.send(ev.Pong(type="pong", event_id=first.event_id))
    await h.clock.advance(1.95)
    assert h.of("ping")[1].ping_event.ping_ms == 50
    await h.close()


async def test_text_only_override_from_either_sdk_shape() -> None:
    for override in ({"text_only": True}, {"conversation": {"text_only": True}}):
        h = Harness([], AGENT, init=initiation(conversation_config_override=override))
        assert h.conversation.view.text_only is True
        await h.close()


async def test_an_empty_llm_reply_passes_in_silence() -> None:
    from parley.providers.llm.base import LLMEmptyReplyError

    h = Harness([Reply(error=LLMEmptyReplyError("empty")), say("Back.")], AGENT)
    await h.start()
    await h.send(user("Hello"))
    assert not h.conversation.ended.is_set()
    await h.send(user("Hello again"))
    assert h.said()[-1] == "Back."
    await h.close()


async def test_typed_turns_store_the_llm_first_token_time(harness: Harness) -> None:
    await harness.send(user("Weather?"))
    metrics = harness.recorder.last.transcript[-1]["conversation_turn_metrics"]["metrics"]
    assert metrics["llm_first_token"]["elapsed_time"] >= 0
    assert "first_audio_sent" not in metrics, "text-only: no audio"


async def test_a_swapped_view_takes_over_from_the_next_turn() -> None:
    """A workflow node or a transfer gives the call another agent view between turns."""
    h = await Harness(
        [say("Sales here."), say("Support here.")],
        {"agent": {"first_message": "Hi.", "prompt": {"prompt": "You sell."}}},
    ).start()
    await h.send(ev.UserMessage(type="user_message", text="Hello"))
    swapped = dataclasses.replace(h.conversation.view, system_prompt="You support.")
    h.conversation.swap_view(swapped)
    await h.send(ev.UserMessage(type="user_message", text="My order broke"))
    first, second = h.llm.requests
    assert (first.messages[0].content, second.messages[0].content) == ("You sell.", "You support.")
    assert [m.content for m in second.messages][1:4] == ["Hi.", "Hello", "Sales here."]
    with pytest.raises(ValueError, match="same conversation"):
        h.conversation.swap_view(dataclasses.replace(swapped, conversation_id="conv_other"))
    await h.close()
