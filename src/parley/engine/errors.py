"""Why a conversation ends abnormally, in the spec's terms (error type + close code)."""

from __future__ import annotations


class ConversationError(Exception):
    """Ends the conversation with an ``error`` event and a WebSocket close.

    ``error_type`` is one of the spec's ``ErrorType`` values; ``code`` is the close code
    (1008 contract errors, 1002 operational errors, 1011 internal, 1000 normal; see
    :class:`~parley.engine.endings.CloseCode`).
    """

    def __init__(self, error_type: str, message: str, code: int = 1008) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.code = code
