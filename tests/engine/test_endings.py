"""How calls end: once ended, a call stays ended, whatever arrives while it winds down."""

from __future__ import annotations

import pytest

from parley.engine.endings import CloseCode
from parley.engine.phases import InvalidTransitionError, Phase, Phases
from parley.schemas import events as ev
from tests.engine.harness import Harness, talk, voice_harness
from tests.fakes.llm import say

QUESTION = (2.0, 3.5)  # seconds of audio in which the user asks


async def test_a_transcript_that_arrives_after_the_hang_up_starts_no_turn() -> None:
    """The console bug: the user hangs up while their last words are being transcribed;
    the transcript arrives during the close, and the agent went on answering and
    re-engaging an empty line for minutes."""
    h = await voice_harness(
        [QUESTION], ["what time do you open"], [say("We open at nine.")], stt_delay=2.0
    ).start()
    await talk(h, 4.5)  # the turn has ended; its transcript is still being made
    assert h.llm.requests == []
    await h.conversation.client_disconnected()
    await h.clock.advance(3.0)  # the transcript arrives while the socket closes
    await h.close()
    await h.clock.advance(60.0)  # long past turn_timeout: no re-engagement either
    assert h.llm.requests == [], "no turn may start after the call ended"
    assert h.conversation.phase is Phase.ENDED
    assert h.recorder.last.status == "done"
    assert [entry["role"] for entry in h.recorder.last.transcript] == ["agent"]


async def test_a_hang_up_frees_the_model_at_once() -> None:
    h = await Harness([say("A very slow answer.", delay=30.0)], {"agent": {"prompt": {}}}).start()
    await h.send(ev.UserMessage(type="user_message", text="Hello?"))
    await h.clock.advance(1.0)
    assert h.llm.open_streams == 1
    await h.conversation.client_disconnected()
    await h.clock.advance(0.0)
    assert h.llm.open_streams == 0, "the reply is cancelled by the hang-up, not by the close"
    await h.close()


async def test_events_after_the_end_are_ignored() -> None:
    h = await Harness([say("Hi.")], {"agent": {"first_message": "Hello."}}).start()
    await h.conversation.client_disconnected()
    await h.send(ev.UserMessage(type="user_message", text="Anyone there?"))
    await h.conversation.hear(b"\x00\x00" * 512)
    await h.clock.advance(30.0)
    assert h.llm.requests == []
    assert h.conversation.close_code == CloseCode.NORMAL
    await h.close()


def test_nothing_leaves_the_ended_phase() -> None:
    phases = Phases()
    phases.to(Phase.LISTENING)
    phases.to(Phase.ENDED)
    assert not phases.open
    with pytest.raises(InvalidTransitionError, match="conversation is ended; it cannot become"):
        phases.to(Phase.RESPONDING)


def test_a_conversation_starts_once() -> None:
    phases = Phases()
    phases.to(Phase.LISTENING)
    with pytest.raises(InvalidTransitionError, match="conversation is listening, not created"):
        phases.require(Phase.CREATED)
