"""The conversation as the LLM sees it."""

from __future__ import annotations

from parley.providers.llm.base import ChatMessage


class History:
    """Chat messages after the system prompt, which stays first and unchanged so a local
    model can reuse its KV cache for the whole prefix."""

    def __init__(self, system_prompt: str) -> None:
        self._system = ChatMessage("system", system_prompt)
        self._messages: list[ChatMessage] = []
        self._context_positions: dict[str, int] = {}

    def set_system_prompt(self, prompt: str) -> None:
        """Another agent view takes over (a workflow node, a transfer): its prompt leads."""
        self._system = ChatMessage("system", prompt)

    def add(self, message: ChatMessage) -> int:
        """Append ``message``; returns its position (for :meth:`amend`)."""
        self._messages.append(message)
        return len(self._messages) - 1

    def amend(self, position: int, message: ChatMessage) -> None:
        """Replace a message, e.g. an interrupted reply by the part the user heard."""
        self._messages[position] = message

    def add_context(self, text: str, context_id: str | None) -> None:
        """A contextual update: background for the LLM, never answered by itself.
        With a ``context_id`` only the latest update of that id is kept."""
        message = ChatMessage("system", f"Context update: {text}")
        if context_id is not None and context_id in self._context_positions:
            self._messages[self._context_positions[context_id]] = message
            return
        if context_id is not None:
            self._context_positions[context_id] = len(self._messages)
        self._messages.append(message)

    def messages(self, instruction: str | None = None) -> tuple[ChatMessage, ...]:
        """What to send the LLM; ``instruction`` is a one-off system note (not remembered)."""
        tail = (ChatMessage("system", instruction),) if instruction else ()
        return (self._system, *self._messages, *tail)
