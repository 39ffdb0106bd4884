"""Turning WebSocket text frames into typed client events (and refusing bad ones)."""

from __future__ import annotations

import orjson
from pydantic import ValidationError

from parley.api.limits import has_nul
from parley.schemas.events import (
    CLIENT_EVENT_ADAPTER,
    CLIENT_EVENT_TYPES,
    ClientEvent,
    UserAudioChunk,
)


class FrameError(ValueError):
    """A frame the spec does not allow: the call ends with 1008 ``invalid_message``."""


class MessageTooBigError(FrameError):
    """A message over ``PARLEY_WS_MAX_MESSAGE_BYTES``: the call ends with close code 1009."""


class UnknownEventError(ValueError):
    """A well-formed event of a type Parley does not know: reported, the call goes on."""


def parse_frame(text: str) -> ClientEvent | UserAudioChunk:
    """Parse one client frame. Audio chunks come without ``type``, as the spec says."""
    try:
        data = orjson.loads(text)  # a quarter of json.loads' time on an audio chunk
    except orjson.JSONDecodeError as error:
        raise FrameError(f"frame is not valid JSON: {error}") from error
    if not isinstance(data, dict):
        raise FrameError("frame must be a JSON object")
    if "\\u0000" in text and has_nul(data):  # the database could not store it
        raise FrameError("text may not contain the NUL character (\\u0000)")
    try:
        if "type" not in data and "user_audio_chunk" in data:
            return UserAudioChunk.model_validate(data)
        if data.get("type") not in CLIENT_EVENT_TYPES:
            raise UnknownEventError(f"unknown event type {data.get('type')!r}")
        return CLIENT_EVENT_ADAPTER.validate_python(data)
    except ValidationError as error:
        problem = error.errors()[0]
        where = ".".join(str(part) for part in problem["loc"])
        raise FrameError(
            f"invalid {data.get('type', 'event')}: {where}: {problem['msg']}"
        ) from error
