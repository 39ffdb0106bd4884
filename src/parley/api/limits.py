"""Refuse oversized request bodies, and text no database can store, before anything parses them.

PostgreSQL cannot store the NUL character (``\\u0000``) in text or JSONB: a name, a message
or an id that carries one would make the write fail (a 500, or a conversation whose saves all
fail). It is refused at the edge instead, in REST requests here and in socket frames by the
frame parser.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

NUL_ESCAPE = b"\\u0000"


def has_nul(value: Any) -> bool:
    """Whether any string in the JSON value (keys included) contains a NUL character."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(key) or has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(has_nul(item) for item in value)
    return False


def body_has_nul(body: bytes) -> bool:
    """A JSON body that decodes to a string with NUL (only parsed when the escape is there)."""
    if NUL_ESCAPE not in body:
        return False
    try:
        return has_nul(json.loads(body))
    except ValueError:
        return False  # not JSON: the route reports that


class BodySizeLimit:
    """ASGI middleware: answer 413 once a request body passes ``max_bytes``, and 400 for a NUL
    character in the path, the query or a JSON body.

    The body is buffered (REST bodies are small JSON documents) so the limit holds whether or
    not the client sent ``Content-Length``.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope["path"] or b"%00" in scope.get("query_string", b""):
            await _refuse_nul(send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if body_has_nul(body):
            await _refuse_nul(send)
            return
        await self.app(scope, _replay(body, receive), send)

    async def _refuse(self, send: Send) -> None:
        message = (
            f"The request body is larger than {self.max_bytes} bytes (PARLEY_MAX_REQUEST_BYTES)."
        )
        await _send_error(send, 413, "payload_too_large", message)


async def _refuse_nul(send: Send) -> None:
    message = "Text may not contain the NUL character (\\u0000)."
    await _send_error(send, 400, "invalid_input", message)


async def _send_error(send: Send, status_code: int, status: str, message: str) -> None:
    body = json.dumps({"detail": {"status": status, "message": message}}).encode()
    headers = [(b"content-type", b"application/json"), (b"connection", b"close")]
    await send({"type": "http.response.start", "status": status_code, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay
