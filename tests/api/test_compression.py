"""Compression on the conversation socket: small events deflated, audio sent as it is."""

from __future__ import annotations

import base64
import json
import os

from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory
from websockets.frames import TEXT, Frame

from parley.api.compression import UNCOMPRESSED_FROM_BYTES, DeflateSmallMessagesFactory


def negotiated() -> tuple[object, object]:
    """The server's and a client's extension, as a real handshake negotiates them."""
    client_factory = ClientPerMessageDeflateFactory(client_max_window_bits=True)
    offer = client_factory.get_request_params()
    response, server = DeflateSmallMessagesFactory().process_request_params(offer, [])
    client = client_factory.process_response_params(response, [])
    return server, client


def event(kind: str, body: dict[str, object]) -> bytes:
    return json.dumps({"type": kind, f"{kind}_event": body}).encode()


def test_audio_goes_out_uncompressed_and_every_message_reads_back() -> None:
    server, client = negotiated()
    audio = event("audio", {"audio_base_64": base64.b64encode(os.urandom(12_000)).decode()})
    assert len(audio) >= UNCOMPRESSED_FROM_BYTES
    messages = [
        event("agent_response", {"agent_response": "Hello there, how can I help?"}),
        audio,
        event("agent_response", {"agent_response": "Hello there, how can I help you?"}),
        audio,
        event("ping", {"event_id": 3}),
    ]
    for message in messages:
        sent = server.encode(Frame(TEXT, message))  # type: ignore[attr-defined]
        assert sent.rsv1 == (len(message) < UNCOMPRESSED_FROM_BYTES)
        if sent.rsv1:
            assert len(sent.data) < len(message)
        # the client's decoder keeps its context across the uncompressed messages
        assert client.decode(sent).data == message  # type: ignore[attr-defined]
