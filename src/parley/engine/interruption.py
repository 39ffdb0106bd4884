"""Barge-in: what the user heard of a cut reply, and what a false interruption leaves.

When the user interrupts, what they *heard* is what counts: the client flushes its audio,
and the transcript and the LLM's history keep only the heard part
(``agent_response_correction``). A barge-in by voice may turn out to be a cough or an
"uh-huh": :class:`BargeIn` remembers enough to pick the thread up again.
"""

from __future__ import annotations

from dataclasses import dataclass

from parley.engine.history import History
from parley.engine.outbox import Outbox
from parley.engine.records import CallRecord
from parley.engine.transcript import TranscriptEntry
from parley.engine.turn import AgentMessage, AgentTurn
from parley.providers.llm.base import ChatMessage
from parley.schemas import events as ev


@dataclass
class BargeIn:
    """What the last interruption left, until the user's turn that caused it is heard."""

    by_voice: bool = False  # the user's sustained speech cut the agent (not a typed message)
    unheard: AgentTurn | None = None  # the cut turn, if the user heard none of it

    def cut(self, turn: AgentTurn, speaking: AgentMessage | None, heard: str) -> None:
        """``turn`` was cut while saying ``speaking`` (None: between messages), of which
        the user heard ``heard``. Only a turn cut in its first round is given again whole
        (speaking None after a first round means tools are running: that was heard)."""
        if speaking is None or not speaking.text:
            self.unheard = turn if turn.rounds <= (0 if speaking is None else 1) else None
        else:
            self.unheard = turn if not heard and turn.rounds == 1 else None

    def settle(self) -> tuple[bool, AgentTurn | None]:
        """The user's turn is in: what the barge-in left (and forget it)."""
        settled = (self.by_voice, self.unheard)
        self.by_voice, self.unheard = False, None
        return settled


def heard_part(speaking: AgentMessage) -> str:
    """What the listener has heard of ``speaking`` (all of it in a text conversation)."""
    return speaking.voice.heard_text() if speaking.voice is not None else speaking.text


async def report_cut(
    speaking: AgentMessage, heard: str, outbox: Outbox, history: History, record: CallRecord
) -> None:
    """Tell the client and the record that ``speaking`` was cut after ``heard``."""
    await outbox.send(
        ev.Interruption(interruption_event=ev.InterruptionBody(event_id=speaking.event_id))
    )
    if speaking.entry is None:  # interrupted before the reply was published
        entry = TranscriptEntry("agent", heard or None, record.seconds_in_call())
        entry.interrupted = True
        await record.add(entry)
        return
    original = speaking.entry.message or ""
    speaking.entry.message = heard or None
    speaking.entry.interrupted = True
    if speaking.history_index is not None:
        history.amend(speaking.history_index, ChatMessage("assistant", heard))
    await outbox.send(
        ev.AgentResponseCorrection(
            agent_response_correction_event=ev.AgentResponseCorrectionBody(
                original_agent_response=original,
                corrected_agent_response=heard,
                event_id=speaking.event_id,
            )
        )
    )
    record.changed()
