"""``GET /v1/voices``: the voices installed on this server (what ``tts.voice_id`` can name)."""

from __future__ import annotations

import io
import wave
from typing import Annotated

import numpy as np
from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel

from parley.api.errors import ApiError
from parley.providers.tts.base import AudioChunk
from parley.services import Services, services_of

router = APIRouter(prefix="/v1/voices", tags=["voices"])
ServicesDep = Annotated[Services, Depends(services_of)]


class VoiceResponse(BaseModel):
    voice_id: str
    name: str
    category: str = "premade"
    labels: dict[str, str]
    description: str | None


class VoicesResponse(BaseModel):
    voices: list[VoiceResponse]


@router.get("", response_model=VoicesResponse)
async def list_voices(services: ServicesDep) -> VoicesResponse:
    """Every installed voice (none when voice is disabled or the speech models are missing)."""
    providers = await services.embedded_voice.get() if services.settings.voice else None
    voices = providers.tts.voices() if providers is not None else []
    return VoicesResponse(
        voices=[
            VoiceResponse(
                voice_id=voice.voice_id,
                name=voice.name,
                labels={
                    "language": voice.language,
                    "gender": voice.gender,
                    "engine": voice.engine,
                    "sample_rate": str(voice.sample_rate),
                },
                description=voice.description,
            )
            for voice in voices
        ]
    )


def _wav(chunks: list[AudioChunk]) -> bytes:
    """One mono 16-bit WAV of the chunks (all at the voice's own sample rate)."""
    samples = np.concatenate([chunk.samples for chunk in chunks])
    clipped = np.clip(samples, -1.0, 1.0)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(chunks[0].sample_rate)
        out.writeframes((clipped * 32767.0).astype("<i2").tobytes())
    return buffer.getvalue()


@router.get("/{voice_id}/preview", response_class=Response)
async def preview_voice(services: ServicesDep, voice_id: str) -> Response:
    """A short WAV of the voice saying hello, so a person can pick a voice by ear."""
    providers = await services.embedded_voice.get() if services.settings.voice else None
    installed = providers.tts.voices() if providers is not None else []
    voice = next((v for v in installed if v.voice_id == voice_id), None)
    if providers is None or voice is None:
        raise ApiError(404, "voice_not_found", f"Voice {voice_id!r} is not installed.")
    text = f"Hello, I am {voice.name}. This is how I sound when I answer your calls."
    chunks = [chunk async for chunk in providers.tts.synthesize(text, voice_id)]
    return Response(_wav(chunks), media_type="audio/wav", headers={"Cache-Control": "max-age=3600"})
