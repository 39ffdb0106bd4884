"""Where a conversation is in its life, and the only way it moves on.

Every path that starts work (a turn, a timer, hearing) asks :attr:`Phases.open` first, and
every move goes through :meth:`Phases.to`, which refuses what the life of a call does not
allow: nothing leaves ``ENDED``, so a call that has ended stays ended.
"""

from __future__ import annotations

import enum


class Phase(enum.Enum):
    CREATED = "created"
    LISTENING = "listening"  # waiting for the user
    RESPONDING = "responding"  # an agent turn is running
    SILENT = "silent"  # skip_turn: wait for the user, no re-engagement
    ENDED = "ended"


_ALIVE = frozenset({Phase.LISTENING, Phase.RESPONDING, Phase.SILENT, Phase.ENDED})
ALLOWED: dict[Phase, frozenset[Phase]] = {
    Phase.CREATED: _ALIVE,
    Phase.LISTENING: _ALIVE,
    Phase.RESPONDING: _ALIVE,
    Phase.SILENT: _ALIVE,
    Phase.ENDED: frozenset(),
}


class InvalidTransitionError(RuntimeError):
    """A bug: the engine tried a move its phase does not allow (e.g. a turn after the end)."""


class Phases:
    def __init__(self) -> None:
        self._phase = Phase.CREATED

    @property
    def current(self) -> Phase:
        return self._phase

    @property
    def open(self) -> bool:
        """Whether the call may still start work (it has not ended)."""
        return self._phase is not Phase.ENDED

    @property
    def quiet(self) -> bool:
        """Waiting for the user (a reply may be prepared)."""
        return self._phase in (Phase.LISTENING, Phase.SILENT)

    def to(self, phase: Phase) -> None:
        if phase not in ALLOWED[self._phase]:
            raise InvalidTransitionError(
                f"conversation is {self._phase.value}; it cannot become {phase.value}"
            )
        self._phase = phase

    def require(self, *phases: Phase) -> None:
        if self._phase not in phases:
            expected = " or ".join(p.value for p in phases)
            raise InvalidTransitionError(f"conversation is {self._phase.value}, not {expected}")
