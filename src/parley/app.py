"""The ASGI application: routes, middleware and the start-up sequence."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TextIO

from fastapi import Depends, FastAPI

from parley import __version__, redaction, runtime
from parley.api import agents, conversation, conversations, health, secrets, voices, widget
from parley.api.auth import require_api_key
from parley.api.console import install_console
from parley.api.docs import install_docs
from parley.api.errors import install_error_handlers
from parley.api.limits import BodySizeLimit
from parley.clock import Clock, SystemClock
from parley.ids import IdFactory
from parley.providers.llm.base import LLM, LLMError
from parley.providers.voice import VoiceProviders
from parley.services import Services, open_services
from parley.settings import Settings

log = logging.getLogger(__name__)


async def bootstrap_api_keys(services: Services, announce: TextIO) -> None:
    """Honour ``PARLEY_API_KEY``; with no key at all, create one and print it this once."""
    if services.settings.api_key is not None:
        await services.api_keys.ensure(
            "PARLEY_API_KEY", services.settings.api_key.get_secret_value()
        )
    if await services.api_keys.count_active() > 0:
        return
    info, key = await services.api_keys.create("first start")
    print(
        "\n"
        "  Parley created an API key; it will not be shown again, so store it now:\n"
        f"\n      {key}\n\n"
        "  Send it in the xi-api-key header (ElevenLabs(api_key=..., base_url=...)).\n"
        f"  Manage keys with `parley keys list|create|revoke` (this one is {info.key_id}).\n",
        file=announce,
        flush=True,
    )


async def _preload(services: Services) -> None:
    """Load the embedded models in the background so the first call does not wait for them.

    Each loads even when another cannot (a server without llama.cpp still gets its voices).
    """
    try:
        try:
            await services.embedded_llm.get()
        except LLMError as error:  # the first conversation that needs it will say so too
            log.warning("the embedded LLM is not available: %s", error)
        if services.settings.voice:
            await services.embedded_voice.get()  # says itself why voice is off, if it is
        runtime.freeze_long_lived()  # the models' objects live as long as the process
        if services.embedded_llm.state == "ready":
            await services.embedded_llm.measure()  # the speed the settings page shows
    except Exception:  # the first conversation will report it; the server keeps serving
        log.exception("could not preload the local models")


def create_app(
    settings: Settings,
    clock: Clock | None = None,
    announce: TextIO = sys.stdout,
    llm_override: LLM | None = None,
    voice_override: VoiceProviders | None = None,
) -> FastAPI:
    """Build the app; the database is opened and migrated when it starts.

    ``llm_override`` answers every conversation instead of the configured models, and
    ``voice_override`` hears and speaks instead of the speech models (for tests and
    benchmarks, which pass scripted fakes).
    """
    clock = clock or SystemClock()
    ids = IdFactory(clock)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        redaction.install()  # here: uvicorn has configured its loggers by now
        services = await open_services(settings, clock, ids, llm_override, voice_override)
        await bootstrap_api_keys(services, announce)
        app.state.services = services
        preload = None
        if settings.preload_models and llm_override is None:
            preload = asyncio.create_task(_preload(services))
            log.info(
                "Parley %s started; the models load in the background "
                "(GET /health/ready answers 200 when they have)",
                __version__,
            )
        else:
            log.info("Parley %s started", __version__)
        app.state.preload = preload
        try:
            yield
        finally:
            if preload is not None:
                preload.cancel()
            await services.close()

    app = FastAPI(
        title="Parley",
        version=__version__,
        description="A self-hosted server for the ElevenLabs Agents Platform API.",
        lifespan=lifespan,
        docs_url=None,  # served by install_docs, without a CDN
        redoc_url=None,
    )
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)
    app.include_router(widget.router)  # public: embedding pages have no key
    app.include_router(agents.router, dependencies=[Depends(require_api_key)])
    app.include_router(agents.parley_router, dependencies=[Depends(require_api_key)])
    app.include_router(conversations.router, dependencies=[Depends(require_api_key)])
    app.include_router(secrets.router, dependencies=[Depends(require_api_key)])
    app.include_router(voices.router, dependencies=[Depends(require_api_key)])
    app.include_router(conversation.router)
    app.include_router(health.router)
    install_docs(app)
    install_console(app)
    return app
