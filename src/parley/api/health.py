"""Liveness and readiness probes.

``/health`` answers as soon as the process serves (liveness). ``/health/ready`` says which
models have loaded: 503 while the start-up is still loading them (so a Kubernetes-style
readiness probe keeps traffic away until the first call would not wait), 200 once it is done.
A model that failed or is not installed does not hold readiness back: the server still serves
what it can (text without voice, OpenAI-compatible endpoints), and the body says what is wrong.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from parley.providers.embedded_voice import PARTS, Part
from parley.providers.loading import ModelState, ModelStatus
from parley.services import services_of

router = APIRouter(tags=["health"])

ReadyStatus = Literal["ready", "loading", "degraded"]


class ModelReadiness(BaseModel):
    state: ModelState | Literal["off"]
    detail: str | None = None  # why it is not ready, and what to do


class Readiness(BaseModel):
    status: ReadyStatus  # loading: 503; degraded: a model failed, the body says which
    models: dict[str, ModelReadiness]  # llm (the embedded one), vad, stt, tts


def readiness(
    llm: ModelStatus, voice: Mapping[Part, ModelStatus] | None, preloading: bool
) -> Readiness:
    """The readiness answer; ``voice`` None means voice is switched off."""
    models = {"llm": ModelReadiness(state=llm.state, detail=llm.detail)}
    for part in PARTS:
        status = voice.get(part) if voice is not None else None
        models[part] = (
            ModelReadiness(state="off", detail="PARLEY_VOICE=false: text-only")
            if status is None
            else ModelReadiness(state=status.state, detail=status.detail)
        )
    states = {model.state for model in models.values()}
    overall: ReadyStatus = (
        "loading"
        if preloading or "loading" in states
        else "degraded"
        if "failed" in states
        else "ready"
    )
    return Readiness(status=overall, models=models)


@router.get("/health")
async def health() -> dict[str, str]:
    """Liveness: the process is up and serving."""
    return {"status": "ok"}


@router.get(
    "/health/ready",
    responses={503: {"model": Readiness, "description": "the models are still loading"}},
)
async def ready(request: Request, response: Response) -> Readiness:
    """Readiness: which models have loaded (503 until the start-up has loaded them)."""
    services = services_of(request)
    preload: asyncio.Task[None] | None = request.app.state.preload
    answer = readiness(
        services.embedded_llm.status,
        services.embedded_voice.parts() if services.settings.voice else None,
        preloading=preload is not None and not preload.done(),
    )
    if answer.status == "loading":
        response.status_code = 503
    return answer
