"""``GET /v1/voices``: the voices installed on this server (what ``tts.voice_id`` can name)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel

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
