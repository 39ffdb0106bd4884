"""``/v1/convai/conversation``: the conversation WebSocket and its signed URLs.

The socket code only moves frames: it authorises the connection, parses each frame into a
typed event for the engine, and writes the engine's events back in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request, WebSocket
from pydantic import BaseModel
from starlette.websockets import WebSocketDisconnect, WebSocketState

from parley.api.audio_input import AudioIntake, EarlyAudio
from parley.api.auth import require_api_key
from parley.api.errors import ApiError
from parley.api.frames import FrameError, MessageTooBigError, UnknownEventError, parse_frame
from parley.api.watchdog import Watchdog
from parley.conversations.access import Caller
from parley.conversations.service import Admission, AdmissionRefusedError
from parley.engine.conversation import Conversation
from parley.engine.endings import CloseCode, error_for
from parley.engine.errors import ConversationError
from parley.schemas.events import (
    ClientEvent,
    ConversationInitiationClientData,
    ErrorBody,
    ErrorEvent,
    ServerEvent,
    UserAudioChunk,
    to_wire,
)
from parley.services import Services, services_of

log = logging.getLogger(__name__)

router = APIRouter(tags=["conversation"])
ServicesDep = Annotated[Services, Depends(services_of)]
PATH = "/v1/convai/conversation"


class SignedUrlResponse(BaseModel):
    signed_url: str


def _socket_base(request: Request, public_url: str | None) -> str:
    """``ws(s)://host[:port]`` as the caller reached us (or as the operator configured)."""
    base = (public_url or f"{request.url.scheme}://{request.url.netloc}").rstrip("/")
    return base.replace("https://", "wss://", 1).replace("http://", "ws://", 1)


@router.get(
    f"{PATH}/get-signed-url",
    response_model=SignedUrlResponse,
    dependencies=[Depends(require_api_key)],
)
async def get_signed_url(
    request: Request, services: ServicesDep, agent_id: str, include_conversation_id: bool = False
) -> SignedUrlResponse:
    """A WebSocket URL valid for 15 minutes that needs no API key (single-use with
    ``include_conversation_id``)."""
    if await services.agent_store.get(agent_id) is None:
        raise ApiError(404, "agent_not_found", f"Agent {agent_id!r} does not exist.")
    token, _ = services.conversations.signed_url_token(agent_id, include_conversation_id)
    query = urlencode({"agent_id": agent_id, "conversation_signature": token})
    base = _socket_base(request, services.settings.public_url)
    return SignedUrlResponse(signed_url=f"{base}{PATH}?{query}")


@router.websocket(PATH)
async def conversation_socket(websocket: WebSocket) -> None:
    offered = websocket.scope.get("subprotocols") or []
    bearer = next((p.removeprefix("bearer.") for p in offered if p.startswith("bearer.")), None)
    await websocket.accept(subprotocol="convai" if "convai" in offered else None)
    params = websocket.query_params
    token = params.get("conversation_signature") or params.get("token") or bearer
    caller = Caller(
        address=websocket.client.host if websocket.client else None,
        origin=websocket.headers.get("origin"),
    )
    session = SocketSession(websocket, websocket.app.state.services)
    await session.run(params.get("agent_id"), token, caller)


# What may wait to be written to one client; past it the client is not reading (at most a
# minute of 48 kHz agent audio, base64-encoded, fits).
MAX_QUEUED_BYTES = 8 * 1024 * 1024
MESSAGE_TOO_BIG = CloseCode.MESSAGE_TOO_BIG  # as uvicorn sends it for a message over ws_max_size


class SocketState(enum.Enum):
    ADMITTING = "admitting"  # accepted; checking the agent, the caller and the limits
    STARTING = "starting"  # admitted; waiting for conversation_initiation_client_data
    CONVERSING = "conversing"  # the conversation runs
    CLOSING = "closing"  # sending what is queued, then the close frame
    CLOSED = "closed"


class ClientGoneError(Exception):
    """The client closed the socket."""


class SocketSession:
    """One WebSocket connection from accept to close.

    Everything a client controls is bounded here: the size of each message, how long it may
    stay silent (``transport_receive_timeout``), and how long one send to it may take; a
    client that stops reading is dropped rather than holding its queue or anyone else up.
    """

    def __init__(self, websocket: WebSocket, services: Services) -> None:
        self._ws = websocket
        self._services = services
        self._settings = services.settings
        self._outgoing: asyncio.Queue[str | None] = asyncio.Queue()
        self._queued_bytes = 0
        self._writer = asyncio.create_task(self._write())
        self._client_gone = False
        self._stalled: str | None = None  # why the client was dropped for not reading
        self._close_code: int | None = None  # overrides the conversation's (message too big)
        self._early_audio = EarlyAudio()
        self.state = SocketState.ADMITTING

    async def _emit(self, event: ServerEvent) -> None:
        if self._writer.done():
            return  # the client is gone or was dropped: nobody will read it
        text = to_wire(event)
        if self._queued_bytes + len(text) > MAX_QUEUED_BYTES:
            self._stall(f"the client fell {MAX_QUEUED_BYTES // 2**20} MiB behind reading")
            return
        self._queued_bytes += len(text)
        self._outgoing.put_nowait(text)

    def _stall(self, reason: str) -> None:
        """Give up on a client that does not take its messages."""
        self._stalled = f"client stopped reading: {reason}"
        self._client_gone = True
        self._writer.cancel()

    async def run(self, agent_id: str | None, token: str | None, caller: Caller) -> None:
        async with self._services.conversations.connection():
            try:
                await self._run(agent_id, token, caller)
            except Exception:  # a bug or a failed dependency: close properly, not with 1006
                log.exception("the conversation socket failed")
                await self._close(CloseCode.INTERNAL_ERROR, "internal error")

    async def _run(self, agent_id: str | None, token: str | None, caller: Caller) -> None:
        conversations = self._services.conversations
        try:
            admission = await conversations.admit(agent_id, token, caller)
        except AdmissionRefusedError as error:
            await self._close(error.code, error.reason)
            return
        self.state = SocketState.STARTING
        try:
            await self._run_admitted(admission)
        finally:
            conversations.release(admission)

    async def _run_admitted(self, admission: Admission) -> None:
        conversations = self._services.conversations
        try:
            code, reason = await self._converse(admission)
        except ClientGoneError:
            self._client_gone = True
            await conversations.abandon(admission, "client left before the start")
            code, reason = 1000, ""
        except ConversationError as error:
            await conversations.abandon(admission, error.message)
            await self._emit(_error_event(error))
            code, reason = error.code, error.message
        except FrameError as error:
            await conversations.abandon(admission, str(error))
            await self._emit(_error_event(ConversationError("invalid_message", str(error))))
            code, reason = self._frame_close_code(error), str(error)
        await self._close(self._close_code or code, reason)

    def _frame_close_code(self, error: FrameError) -> int:
        return MESSAGE_TOO_BIG if isinstance(error, MessageTooBigError) else 1008

    async def _converse(self, admission: Admission) -> tuple[int, str]:
        """Run the conversation; returns the close code and reason."""
        init, early = await self._read_initiation()
        conversation = await self._services.conversations.open(admission, init, self._emit)
        self.state = SocketState.CONVERSING
        intake = AudioIntake(
            conversation.view.input_format,
            self._settings.audio_burst_seconds,
            self._services.clock,
        )
        try:
            await conversation.start()
            for event in early:
                await conversation.handle(event)
            await self._hear_early_audio(conversation, intake)
            reader = asyncio.create_task(self._read_loop(conversation, intake))
            ended = asyncio.create_task(conversation.ended.wait())
            await asyncio.wait({reader, ended, self._writer}, return_when=asyncio.FIRST_COMPLETED)
            ended.cancel()
            reader.cancel()
            await self._settle_reader(reader, conversation)
            if self._writer.done():  # the client went away or stopped reading
                await conversation.client_disconnected(self._stalled or "client disconnected")
        finally:
            reason = "client disconnected" if self._client_gone else "server shutting down"
            await self._services.conversations.close(conversation, reason)
        return conversation.close_code, conversation.close_reason

    async def _hear_early_audio(self, conversation: Conversation, intake: AudioIntake) -> None:
        """The platform hears audio sent before the initiation data: so do we."""
        chunks, self._early_audio.chunks = self._early_audio.chunks, []
        try:
            for chunk in chunks:
                await conversation.hear(intake.take(chunk))
        except ConversationError as error:
            await conversation.fail(error)

    async def _settle_reader(self, reader: asyncio.Task[None], conversation: Conversation) -> None:
        """Turn the way the reader stopped into the conversation's ending."""
        await asyncio.wait([reader])  # never raises: our own cancellation must stay ours
        error = None if reader.cancelled() else reader.exception()
        if isinstance(error, ClientGoneError):
            self._client_gone = True
            await conversation.client_disconnected()
        elif isinstance(error, FrameError):
            if isinstance(error, MessageTooBigError):
                self._close_code = MESSAGE_TOO_BIG
            await conversation.fail(ConversationError("invalid_message", str(error)))
        elif error is not None:
            if not isinstance(error, ConversationError):
                log.error("reading the socket failed", exc_info=error)
            await conversation.fail(error_for(error))

    async def _receive_text(self) -> str:
        """The next text frame; raises for oversized or binary frames and a close."""
        message = await self._ws.receive()
        if message["type"] == "websocket.disconnect":
            self._client_gone = True
            if message.get("code") == MESSAGE_TOO_BIG:  # uvicorn refused it (ws_max_size)
                raise MessageTooBigError(f"message too big: {message.get('reason') or ''}")
            raise ClientGoneError
        text = message.get("text")
        if text is None:
            raise FrameError("binary frames are not part of the protocol; send JSON text frames")
        limit = self._settings.ws_max_message_bytes
        if len(text) > limit // 4 and len(text.encode()) > limit:
            raise MessageTooBigError(
                f"message of {len(text.encode())} bytes is over the limit of {limit} bytes"
            )
        return str(text)

    async def _next_event(self) -> ClientEvent | UserAudioChunk | None:
        """The next client event; None for a (reported) event of an unknown type."""
        try:
            return parse_frame(await self._receive_text())
        except UnknownEventError as error:
            await self._emit(_error_event(ConversationError("invalid_message", str(error))))
            return None

    async def _read_initiation(
        self,
    ) -> tuple[ConversationInitiationClientData | None, list[ClientEvent]]:
        """Wait briefly for ``conversation_initiation_client_data``; a client that starts
        with another event gets the agent's defaults."""
        timeout = self._settings.initiation_timeout_seconds
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                while True:
                    event = await self._next_event()
                    if event is None:
                        continue
                    if isinstance(event, UserAudioChunk):
                        self._early_audio.add(event.user_audio_chunk)
                        continue
                    if isinstance(event, ConversationInitiationClientData):
                        return event, []
                    return None, [event]
        return None, []

    async def _read_loop(self, conversation: Conversation, intake: AudioIntake) -> None:
        """Feed the conversation; a client silent for ``idle_timeout_seconds`` (not even
        audio) is ended with ``transport_receive_timeout``."""
        idle = self._settings.idle_timeout_seconds
        quiet = Watchdog(idle, _current_task())
        quiet.start()
        try:
            while True:
                event = await self._next_event()
                quiet.start()
                if event is None:
                    continue
                if isinstance(event, UserAudioChunk):
                    await conversation.hear(intake.take(event.user_audio_chunk))
                else:
                    await conversation.handle(event)
        except asyncio.CancelledError:
            if not quiet.caused_cancellation():
                raise
            raise ConversationError(
                "transport_receive_timeout", f"No user input for {idle:g} s.", 1002
            ) from None
        finally:
            quiet.close()

    async def _write(self) -> None:
        """Send the queued events in order; a send that takes ``send_timeout_seconds`` (the
        client stopped reading) drops the client."""
        timeout = self._settings.send_timeout_seconds
        sending = Watchdog(timeout, _current_task())
        try:
            while (text := await self._outgoing.get()) is not None:
                self._queued_bytes -= len(text)
                sending.start()
                await self._ws.send_text(text)
                sending.stop()
        except asyncio.CancelledError:
            if not sending.caused_cancellation():
                raise
            self._stalled = f"client stopped reading: a send took over {timeout:g} s"
            self._client_gone = True
        except (WebSocketDisconnect, RuntimeError, OSError):
            self._client_gone = True
        finally:
            sending.close()

    async def _close(self, code: int, reason: str) -> None:
        """Send what is queued, then close (once)."""
        if self.state in (SocketState.CLOSING, SocketState.CLOSED):
            return
        self.state = SocketState.CLOSING
        try:
            await self._send_close(code, reason)
        finally:
            self.state = SocketState.CLOSED

    async def _send_close(self, code: int, reason: str) -> None:
        self._outgoing.put_nowait(None)
        await asyncio.wait([self._writer])  # bounded by the send timeout; never raises
        if self._client_gone or self._ws.application_state is WebSocketState.DISCONNECTED:
            return
        with contextlib.suppress(RuntimeError, OSError, WebSocketDisconnect, TimeoutError):
            async with asyncio.timeout(self._settings.send_timeout_seconds):
                await self._ws.close(code, _close_reason(reason))


def _close_reason(reason: str) -> str:
    """Close reasons are limited to 123 bytes."""
    encoded = reason.encode()[:123]
    return encoded.decode(errors="ignore")


def _current_task() -> asyncio.Task[None]:
    task = asyncio.current_task()
    assert task is not None, "called from a task"
    return task


def _error_event(error: ConversationError) -> ErrorEvent:
    return ErrorEvent(
        error_event=ErrorBody(
            code=error.code,
            message=error.message,
            error_type=error.error_type,
            reason=error.message,
        )
    )
