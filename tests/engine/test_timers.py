"""Engine timers on a virtual clock: re-engagement, silence, soft timeout, max duration."""

from __future__ import annotations

from parley.engine.timers import OPEN, REENGAGE
from parley.schemas import events as ev
from tests.engine.harness import Harness
from tests.fakes.llm import Reply, say

FIRST = {"first_message": "Hi!", "prompt": {"prompt": "P"}}


def user(text: str) -> ev.UserMessage:
    return ev.UserMessage(type="user_message", text=text)


def instructions(h: Harness) -> list[str | None]:
    """The one-off system note of each LLM request (None for a normal turn)."""
    notes = []
    for request in h.llm.requests:
        last = request.messages[-1]
        notes.append(last.content if last.role == "system" and len(request.messages) > 1 else None)
    return notes


async def test_silent_user_is_re_engaged_after_turn_timeout() -> None:
    h = await Harness([say("Still there?")], {"agent": FIRST, "turn": {"turn_timeout": 5}}).start()
    await h.clock.advance(4.9)
    assert h.llm.requests == []
    await h.clock.advance(0.2)
    assert instructions(h) == [REENGAGE]
    assert h.said() == ["Hi!", "Still there?"]
    await h.close()


async def test_re_engagements_stay_out_of_the_llms_history() -> None:
    h = await Harness(
        [say("Still there?"), say("Hello?"), say("Yes, ten.")],
        {"agent": FIRST, "turn": {"turn_timeout": 5}},
    ).start()
    await h.clock.advance(10.2)
    assert h.said() == ["Hi!", "Still there?", "Hello?"]
    first, second = h.llm.requests
    assert first.messages == second.messages, "the model never sees its own check-in"
    await h.send(user("yes, table for ten"))
    await h.clock.advance(0.1)
    assert [m.content for m in h.llm.requests[-1].messages][-2:] == ["Hi!", "yes, table for ten"]
    stored = [entry["message"] for entry in h.recorder.last.transcript]
    assert stored == ["Hi!", "Still there?", "Hello?", "yes, table for ten", "Yes, ten."]
    await h.close()


async def test_user_activity_resets_the_timer() -> None:
    h = await Harness([say("Hello?")], {"agent": FIRST, "turn": {"turn_timeout": 5}}).start()
    await h.clock.advance(4)
    await h.send(ev.UserActivity(type="user_activity"))
    await h.clock.advance(4)
    assert h.llm.requests == []
    await h.clock.advance(1.1)
    assert len(h.llm.requests) == 1
    await h.close()


async def test_silence_end_call_timeout_ends_the_call() -> None:
    config = {"agent": FIRST, "turn": {"turn_timeout": 30, "silence_end_call_timeout": 12}}
    h = await Harness([], config).start()
    await h.clock.advance(11.9)
    assert not h.conversation.ended.is_set()
    await h.clock.advance(0.2)
    assert h.conversation.ended.is_set()
    assert h.conversation.close_code == 1000
    assert "silence" in (h.recorder.last.termination_reason or "")
    assert h.recorder.last.status == "done"
    await h.close()


async def test_soft_timeout_says_the_filler_while_the_llm_is_slow() -> None:
    config = {
        "agent": FIRST,
        "turn": {"soft_timeout_config": {"timeout_seconds": 2, "message": "Hmm, one moment."}},
    }
    h = await Harness([Reply(text=["Here you go."], delay=3.0)], config).start()
    await h.send(user("Question"))
    await h.clock.advance(2.1)
    assert h.said() == ["Hi!", "Hmm, one moment."]
    await h.clock.advance(1.0)
    assert h.said() == ["Hi!", "Hmm, one moment.", "Here you go."]
    await h.close()


async def test_no_filler_when_the_llm_is_fast_enough() -> None:
    config = {
        "agent": FIRST,
        "turn": {"soft_timeout_config": {"timeout_seconds": 2, "message": "Hmm."}},
    }
    h = await Harness([Reply(text=["Quick."], delay=1.0)], config).start()
    await h.send(user("Question"))
    await h.clock.advance(5)
    assert h.said() == ["Hi!", "Quick."]
    await h.close()


async def test_max_duration_ends_with_its_error_and_1000() -> None:
    config = {"agent": FIRST, "conversation": {"max_duration_seconds": 60}}
    h = await Harness([], config).start()
    await h.clock.advance(60)
    assert h.conversation.ended.is_set()
    assert h.conversation.close_code == 1000
    error = h.of("error")[0].error_event
    assert (error.error_type, error.code) == ("max_duration_exceeded", 1000)
    await h.close()


async def test_empty_first_message_waits_initial_wait_time_then_opens() -> None:
    config = {
        "agent": {"first_message": "", "prompt": {"prompt": "P"}},
        "turn": {"initial_wait_time": 3},
    }
    h = await Harness([say("Hello there!")], config).start()
    assert h.said() == []
    await h.clock.advance(2.9)
    assert h.llm.requests == []
    await h.clock.advance(0.2)
    assert instructions(h) == [OPEN]
    assert h.said() == ["Hello there!"]
    await h.close()


async def test_user_who_speaks_first_gets_an_answer_not_a_greeting() -> None:
    config = {
        "agent": {"first_message": "", "prompt": {"prompt": "P"}},
        "turn": {"initial_wait_time": 3},
    }
    h = await Harness([say("Answer.")], config).start()
    await h.send(user("Hi, question"))
    await h.clock.advance(10)
    assert h.said()[0] == "Answer."
    assert instructions(h) == [None, REENGAGE], "no greeting; re-engaged 7 s after the answer"
    await h.close()
