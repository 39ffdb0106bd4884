"""Running the app under uvicorn, with a shutdown that lets live calls finish.

On its own, uvicorn answers SIGTERM by closing every WebSocket at once (close 1012), which
would cut every call mid-sentence. :class:`DrainingServer` first winds the conversations down
(:meth:`~parley.conversations.service.ConversationService.wind_down`: refuse new calls, give
live ones a grace period, end and store the rest), then lets uvicorn finish its own shutdown.
A second signal skips the wait.

The port is bound (:func:`bind`) before the app starts: a port that is taken fails at once with
advice, before the start-up creates and prints an API key or says it is ready.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import socket
from collections.abc import Awaitable, Callable
from types import FrameType

import uvicorn
from fastapi import FastAPI

from parley import runtime
from parley.api.compression import ParleyWebSocketProtocol
from parley.settings import Settings

log = logging.getLogger(__name__)

WindDown = Callable[[], Awaitable[None]]


class DrainingServer(uvicorn.Server):
    """A uvicorn server whose first SIGTERM/SIGINT winds the calls down before exiting."""

    def __init__(self, config: uvicorn.Config, wind_down: WindDown) -> None:
        super().__init__(config)
        self._wind_down = wind_down
        self._loop: asyncio.AbstractEventLoop | None = None
        self._draining: asyncio.Task[None] | None = None

    async def serve(self, sockets: list[socket.socket] | None = None) -> None:
        self._loop = asyncio.get_running_loop()
        await super().serve(sockets)

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)  # runs the app's start-up: services, migrations
        runtime.freeze_long_lived()
        if self.started:  # uvicorn announces the address only for sockets it bound itself
            log.info("serving on %s (Ctrl-C stops)", _url(self.config.host, self.config.port))

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self._loop is None or self._draining is not None or not self.started:
            super().handle_exit(sig, frame)  # not serving yet, or a second signal: stop now
            return
        # A signal handler runs between two bytecodes of whatever the loop was doing: hand
        # the work to the loop rather than touch its state from here.
        self._loop.call_soon_threadsafe(self._start_draining, sig, frame)

    def _start_draining(self, sig: int, frame: FrameType | None) -> None:
        if self._draining is not None:
            super().handle_exit(sig, frame)
            return
        log.info("stopping: new calls are refused; send the signal again to stop at once")
        self._draining = asyncio.create_task(self._drain(sig, frame))

    async def _drain(self, sig: int, frame: FrameType | None) -> None:
        try:
            await self._wind_down()
        except Exception:  # the server must still stop
            log.exception("winding the calls down failed")
        super().handle_exit(sig, frame)


class BindError(Exception):
    """The server cannot listen where it was told to; the message says what to change."""


def bind(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port``, for :func:`run` to listen on."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
    try:
        listener.bind((host, port))
    except OSError as error:
        listener.close()
        raise BindError(_bind_advice(host, port, error)) from error
    return listener


def _bind_advice(host: str, port: int, error: OSError) -> str:
    if error.errno == errno.EADDRINUSE:
        other = port + 1 if port < 65535 else port - 1
        return (
            f"port {port} is in use on {host} (another Parley or another server); stop that, "
            f"or choose another port: PARLEY_PORT={other}, `parley serve --port {other}` "
            f'or `make run ARGS="--port {other}"`'
        )
    if error.errno == errno.EACCES:
        return f"port {port} needs administrator rights; choose one above 1023 (PARLEY_PORT)"
    return (
        f"cannot listen on {host}:{port} ({error.strerror or error}); check PARLEY_HOST "
        "(e.g. 127.0.0.1, or 0.0.0.0 for every interface) and PARLEY_PORT"
    )


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def run(app: FastAPI, settings: Settings) -> None:
    """Serve ``app`` until a signal stops it (``parley serve``).

    Raises :class:`BindError` when the address is taken, before the app has started.
    """
    listener = bind(settings.host, settings.port)

    async def wind_down() -> None:
        services = getattr(app.state, "services", None)
        if services is not None:
            await services.conversations.wind_down(settings.shutdown_grace_seconds)

    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        # at debug uvicorn logs every WebSocket frame; Parley's own debug log is what helps
        log_level="info"
        if settings.log_level.lower() in ("debug", "trace")
        else settings.log_level,
        ws=ParleyWebSocketProtocol,  # uvicorn's websockets-sansio, audio sent uncompressed
        ws_max_size=settings.ws_max_message_bytes,
        # stays on: without it, the JS SDK under Node receives the metadata and the first
        # message in one read and drops the first message
        # (tests/end_to_end/test_conversation_js_sdk.py)
        ws_per_message_deflate=True,
        timeout_graceful_shutdown=10,  # REST requests still running once the calls are done
    )
    with listener:
        DrainingServer(config, wind_down).run(sockets=[listener])
