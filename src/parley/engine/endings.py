"""How a call ends, decided in one place: close code, error type, termination reason, status.

A call ends normally (the user hung up, ``end_call``, silence, the maximum duration) or
because of an error; :func:`error_for` maps every exception a turn can raise to the spec's
error, and :class:`Ending` carries what the socket closes with and what is stored.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Literal

from parley.engine.errors import ConversationError
from parley.providers.llm.base import LLMError, LLMTimeoutError
from parley.schemas import events as ev


class CloseCode(enum.IntEnum):
    """WebSocket close codes (RFC 6455) as the platform uses them."""

    NORMAL = 1000
    GOING_AWAY = 1001  # the server stops; the client may reconnect
    PROTOCOL_ERROR = 1002  # operational errors (the spec's "1002" class: LLM, timeouts)
    POLICY_VIOLATION = 1008  # contract errors (bad overrides, missing variables, bad frames)
    MESSAGE_TOO_BIG = 1009
    INTERNAL_ERROR = 1011
    SERVICE_RESTART = 1012  # refused while the server shuts down: try again shortly
    TRY_AGAIN_LATER = 1013  # refused because a dependency (the database) failed


@dataclass(frozen=True)
class Ending:
    code: CloseCode
    reason: str  # the termination reason, stored; the close reason is its first 120 chars
    status: Literal["done", "failed"] = "done"
    error: ConversationError | None = None  # sent as an ``error`` event before the close

    @classmethod
    def normal(cls, reason: str, code: CloseCode = CloseCode.NORMAL) -> Ending:
        return cls(code, reason)

    @classmethod
    def of(cls, error: ConversationError) -> Ending:
        failed = error.code != CloseCode.NORMAL
        return cls(CloseCode(error.code), error.message, "failed" if failed else "done", error)

    @property
    def close_reason(self) -> str:
        return self.reason[:120]

    def error_event(self) -> ev.ErrorEvent:
        """The ``error`` event sent before the close (for an ending with an error)."""
        assert self.error is not None
        error = self.error
        return ev.ErrorEvent(
            error_event=ev.ErrorBody(
                code=error.code,
                message=error.message,
                error_type=error.error_type,
                reason=self.reason,
            )
        )


def max_duration_exceeded(seconds: float) -> ConversationError:
    """The call reached ``conversation.max_duration_seconds``: an error event, then 1000."""
    return ConversationError(
        "max_duration_exceeded",
        f"The conversation reached its maximum duration of {seconds:g} s.",
        CloseCode.NORMAL,
    )


def error_for(error: BaseException) -> ConversationError:
    """The spec's error for what a turn raised (an unexpected one is an internal error)."""
    if isinstance(error, ConversationError):
        return error
    if isinstance(error, LLMTimeoutError):
        return ConversationError("llm_timeout", str(error), CloseCode.PROTOCOL_ERROR)
    if isinstance(error, LLMError):
        return ConversationError("llm_error", f"The LLM failed: {error}", CloseCode.PROTOCOL_ERROR)
    return ConversationError(
        "unknown", "Internal error in the agent turn.", CloseCode.INTERNAL_ERROR
    )
