"""``GET /v1/parley/server``: what the console's settings page says about this server.

Parley's own endpoint (the platform has none like it): the version, the database, the machine,
the models and how fast the embedded one answered when it loaded. Reading it never loads a
model and never shows a secret (passwords in the database URL, endpoint API keys).
"""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel
from sqlalchemy.engine import make_url

from parley import __version__
from parley.providers.llm.local import default_threads
from parley.providers.loading import LoadState
from parley.services import Services, services_of

router = APIRouter(prefix="/v1/parley", tags=["parley"])
ServicesDep = Annotated[Services, Depends(services_of)]

CPUINFO = Path("/proc/cpuinfo")
# x86 names the processor "model name"; ARM boards use "Model" or "Hardware"
_CPU_NAME_KEYS = ("model name", "Model", "Hardware", "cpu model")


class CpuInfo(BaseModel):
    model: str
    architecture: str
    cores: int
    usable_cores: int  # what this process may run on (containers and taskset limit it)


class DatabaseInfo(BaseModel):
    kind: str  # sqlite, postgresql
    url: str  # the password hidden


class ModelSpeedInfo(BaseModel):
    tokens_per_second: float
    first_token_seconds: float
    tokens: int


class EmbeddedLLMInfo(BaseModel):
    model: str
    state: LoadState
    decode_threads: int
    prompt_threads: int
    speed: ModelSpeedInfo | None  # None: not measured yet (it is, once the model has loaded)


class EndpointInfo(BaseModel):
    llm: str
    model_id: str | None
    url: str


class SpeechInfo(BaseModel):
    enabled: bool
    state: LoadState
    models: list[str]  # VAD, speech-to-text and text-to-speech, once loaded


class ServerInfo(BaseModel):
    version: str
    python: str
    public_url: str | None
    preload_models: bool
    database: DatabaseInfo
    cpu: CpuInfo
    embedded_llm: EmbeddedLLMInfo
    llm_endpoints: list[EndpointInfo]
    speech: SpeechInfo


def cpu_info(cpuinfo: Path = CPUINFO) -> CpuInfo:
    """The processor's marketing name from ``/proc/cpuinfo``, else what ``platform`` knows."""
    return CpuInfo(
        model=_cpu_name(cpuinfo) or platform.processor() or platform.machine() or "unknown",
        architecture=platform.machine() or "unknown",
        cores=os.cpu_count() or 1,
        usable_cores=len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count() or 1,
    )


def _cpu_name(cpuinfo: Path) -> str | None:
    try:
        text = cpuinfo.read_text(errors="replace")
    except OSError:  # not Linux, or /proc is not mounted
        return None
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in _CPU_NAME_KEYS and value.strip():
            return " ".join(value.split())
    return None


def database_info(url: str) -> DatabaseInfo:
    """The database's kind and URL, its password replaced by ***."""
    parsed = make_url(url)
    return DatabaseInfo(
        kind=parsed.get_backend_name(), url=parsed.render_as_string(hide_password=True)
    )


def _embedded_llm(services: Services) -> EmbeddedLLMInfo:
    model = services.embedded_llm
    decode, prompt = default_threads()
    speed = model.speed
    return EmbeddedLLMInfo(
        model=model.model,
        state=model.state,
        decode_threads=services.settings.llm_threads or decode,
        prompt_threads=services.settings.llm_prompt_threads or prompt,
        speed=ModelSpeedInfo(
            tokens_per_second=round(speed.tokens_per_second, 1),
            first_token_seconds=round(speed.first_token_seconds, 3),
            tokens=speed.tokens,
        )
        if speed is not None
        else None,
    )


def _speech(services: Services) -> SpeechInfo:
    voice = services.embedded_voice
    providers = voice.loaded()
    models = (
        [] if providers is None else [p.name for p in (providers.vad, providers.stt, providers.tts)]
    )
    return SpeechInfo(enabled=services.settings.voice, state=voice.state, models=models)


@router.get("/server", response_model=ServerInfo)
async def server_info(services: ServicesDep) -> ServerInfo:
    """This server and its machine, as the settings page shows them."""
    settings = services.settings
    return ServerInfo(
        version=__version__,
        python=platform.python_version(),
        public_url=settings.public_url,
        preload_models=settings.preload_models,
        database=database_info(settings.resolved_database_url()),
        cpu=cpu_info(),
        embedded_llm=_embedded_llm(services),
        llm_endpoints=[
            EndpointInfo(llm=name, model_id=endpoint.model_id, url=endpoint.url)
            for name, endpoint in sorted(settings.llm_endpoints.items())
        ],
        speech=_speech(services),
    )
