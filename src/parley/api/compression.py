"""WebSocket compression that leaves audio alone.

The official SDKs negotiate permessage-deflate, and without it the JS SDK under Node drops
the first agent message (tests/end_to_end/test_conversation_js_sdk.py), so it stays on. But deflate
was the largest single cost of a busy server (benchmarks/load.py, py-spy: ~25 % of the
event loop at 300 calls), almost all of it spent on ``audio`` events: base64 PCM, which
deflate shrinks by only ~25 % (85 kB -> 64 kB for 2.7 s of 16 kHz speech, 2.8 ms of CPU).
RFC 7692 (section 6) lets an endpoint send any message uncompressed, with RSV1 unset, and
every conforming client reads both; so large messages go out as they are and the small
JSON events (transcripts, replies, pings), which deflate well, stay compressed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from uvicorn.config import Config
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from uvicorn.server import ServerState
from websockets.extensions.base import Extension
from websockets.extensions.permessage_deflate import (
    PerMessageDeflate,
    ServerPerMessageDeflateFactory,
)
from websockets.frames import BINARY, TEXT, Frame
from websockets.typing import ExtensionParameter

# Larger messages are audio in practice (a clause is tens of kB); the largest other events,
# a long agent_response or a tool call, are a few kB and still get compressed.
UNCOMPRESSED_FROM_BYTES = 8192


class DeflateSmallMessages(PerMessageDeflate):
    """permessage-deflate for messages under :data:`UNCOMPRESSED_FROM_BYTES` only."""

    def encode(self, frame: Frame) -> Frame:
        whole_message = frame.fin and frame.opcode in (TEXT, BINARY)
        if whole_message and len(frame.data) >= UNCOMPRESSED_FROM_BYTES:
            return frame  # RSV1 stays unset: the client reads it as it is
        return super().encode(frame)


class DeflateSmallMessagesFactory(ServerPerMessageDeflateFactory):
    """Negotiates exactly like uvicorn's own factory; the extension it makes differs."""

    def __init__(self) -> None:  # uvicorn's settings: small windows, little memory per call
        super().__init__(
            server_max_window_bits=12, client_max_window_bits=12, compress_settings={"memLevel": 5}
        )

    def process_request_params(
        self, params: Sequence[ExtensionParameter], accepted_extensions: Sequence[Extension]
    ) -> tuple[list[ExtensionParameter], PerMessageDeflate]:
        response, negotiated = super().process_request_params(params, accepted_extensions)
        extension = DeflateSmallMessages(
            negotiated.remote_no_context_takeover,
            negotiated.local_no_context_takeover,
            negotiated.remote_max_window_bits,
            negotiated.local_max_window_bits,
            negotiated.compress_settings,
        )
        return response, extension


class ParleyWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's ``websockets-sansio`` protocol with :class:`DeflateSmallMessages`."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        if config.ws_per_message_deflate:
            self.conn.available_extensions = [DeflateSmallMessagesFactory()]
