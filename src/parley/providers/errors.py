"""The one error base every provider raises, so callers decide on retries the same way.

Each kind keeps its own family (``LLMError``, ``STTError``, ``TTSError``, ``VADError``) for
``except`` clauses that care which stage failed; all of them are :class:`ProviderError`, and
``retryable`` says whether another attempt (or the next model) may succeed::

    ProviderError                 retryable unless told otherwise
    ├── ProviderTimeoutError      no (complete) answer in time: retryable
    └── ProviderUnavailableError  not installed, misconfigured or closed: not retryable

The rule for ``retryable``: a timeout, a dropped connection, an overloaded or failing server
(HTTP 408, 429, 5xx) may pass; bad configuration, a missing model and a request the provider
can never serve (HTTP 4xx) will fail the same way again.
"""

from __future__ import annotations

from typing import ClassVar


class ProviderError(Exception):
    """A provider failed. ``retryable`` says whether another attempt may succeed."""

    retryable_by_default: ClassVar[bool] = True

    def __init__(self, message: str, *, retryable: bool | None = None) -> None:
        super().__init__(message)
        self.retryable = self.retryable_by_default if retryable is None else retryable


class ProviderTimeoutError(ProviderError):
    """No (complete) answer in time; the next attempt may be faster."""

    retryable_by_default = True


class ProviderUnavailableError(ProviderError):
    """The provider cannot run: not installed, not configured, or closed."""

    retryable_by_default = False


def retryable_status(status: int) -> bool:
    """Whether an HTTP error status may pass on another attempt: timeouts, rate limits, 5xx."""
    return status in (408, 429) or status >= 500
