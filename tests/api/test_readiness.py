"""``/health`` is liveness; ``/health/ready`` says which models have loaded (503 while loading)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import NoReturn

import httpx
import pytest
from fastapi.testclient import TestClient

from parley.api.health import readiness
from parley.app import create_app
from parley.providers.embedded_voice import EmbeddedVoice, Part, VoiceLoaders
from parley.providers.loading import ModelStatus
from parley.providers.stt.base import STT
from parley.providers.tts.base import TTSUnavailableError
from parley.providers.tts.router import VoiceRouter
from parley.providers.vad.base import VAD
from tests.conftest import in_process_settings
from tests.fakes.audio import FakeSTT, FakeVAD
from tests.fakes.tts import FakeTTS
from tests.servers import ServerProcess

READY = ModelStatus("ready")
LOCAL: dict[Part, tuple[str, ...]] = {"vad": (), "stt": (), "tts": ()}  # nothing to check


def states(answer: dict[Part, ModelStatus] | None) -> dict[str, str]:
    return {} if answer is None else {part: status.state for part, status in answer.items()}


def test_loading_until_the_start_up_is_done_then_ready_or_degraded() -> None:
    voice: dict[Part, ModelStatus] = {"vad": READY, "stt": READY, "tts": READY}
    assert readiness(READY, voice, preloading=True).status == "loading"  # the start-up goes on
    assert readiness(ModelStatus("loading"), voice, preloading=False).status == "loading"
    assert readiness(READY, voice, preloading=False).status == "ready"
    failed = voice | {"tts": ModelStatus("failed", "espeak-ng not found")}
    answer = readiness(READY, failed, preloading=False)
    assert answer.status == "degraded"
    assert answer.models["tts"].detail == "espeak-ng not found"
    # a slim install is what the operator chose: it is said, but is not "degraded"
    slim = ModelStatus("not installed", "llama_cpp not installed")
    assert readiness(slim, None, preloading=False).status == "ready"


def test_voice_switched_off_reports_its_models_off() -> None:
    answer = readiness(READY, None, preloading=False)
    assert {name: model.state for name, model in answer.models.items()} == {
        "llm": "ready",
        "vad": "off",
        "stt": "off",
        "tts": "off",
    }


async def test_each_speech_model_reports_loading_then_ready() -> None:
    started = {part: asyncio.Event() for part in ("vad", "stt", "tts")}
    release = {part: asyncio.Event() for part in ("vad", "stt", "tts")}

    async def vad() -> VAD:
        started["vad"].set()
        await release["vad"].wait()
        return FakeVAD.from_energy()

    async def stt() -> STT:
        started["stt"].set()
        await release["stt"].wait()
        return FakeSTT()

    async def tts() -> VoiceRouter:
        started["tts"].set()
        await release["tts"].wait()
        return VoiceRouter([FakeTTS()])

    voice = EmbeddedVoice(VoiceLoaders(vad, stt, tts, LOCAL))
    assert states(voice.parts()) == dict.fromkeys(("vad", "stt", "tts"), "not loaded")
    loading = asyncio.create_task(voice.get())
    await started["vad"].wait()
    assert states(voice.parts()) == {"vad": "loading", "stt": "not loaded", "tts": "not loaded"}
    release["vad"].set()
    release["stt"].set()
    await started["tts"].wait()
    assert states(voice.parts()) == {"vad": "ready", "stt": "ready", "tts": "loading"}
    release["tts"].set()
    assert await loading is not None
    assert states(voice.parts()) == dict.fromkeys(("vad", "stt", "tts"), "ready")
    await voice.close()


async def test_a_speech_model_that_fails_says_why() -> None:
    async def vad() -> VAD:
        return FakeVAD.from_energy()

    async def stt() -> STT:
        return FakeSTT()

    async def tts() -> VoiceRouter:
        raise TTSUnavailableError("espeak-ng not found: apt-get install espeak-ng")

    voice = EmbeddedVoice(VoiceLoaders(vad, stt, tts, LOCAL))
    assert await voice.get() is None  # voice off, text still served
    parts = voice.parts()
    assert states(parts) == {"vad": "ready", "stt": "ready", "tts": "failed"}
    assert parts["tts"].detail == "espeak-ng not found: apt-get install espeak-ng"


async def test_a_missing_package_is_not_installed_and_names_the_extra() -> None:
    async def never() -> NoReturn:
        raise AssertionError("nothing loads when a package is missing")

    modules = LOCAL | {"stt": ("parley_no_such_package",)}
    voice = EmbeddedVoice(VoiceLoaders(never, never, never, modules))
    assert await voice.get() is None
    parts = voice.parts()
    assert parts["stt"].state == "not installed"
    assert parts["stt"].detail is not None
    assert "parley_no_such_package" in parts["stt"].detail
    assert "pip install 'parley[local]'" in parts["stt"].detail
    assert states(parts)["vad"] == "not loaded"


def test_health_stays_liveness_and_ready_answers_without_loading(tmp_path: Path) -> None:
    settings = in_process_settings(tmp_path, preload_models=False, voice=False)
    with TestClient(create_app(settings)) as client:
        assert client.get("/health").json() == {"status": "ok"}
        ready = client.get("/health/ready")
        assert ready.status_code == 200
        assert ready.json() == {
            "status": "ready",
            "models": {
                "llm": {"state": "not loaded", "detail": None},  # loads at the first call
                "vad": {"state": "off", "detail": "PARLEY_VOICE=false: text-only"},
                "stt": {"state": "off", "detail": "PARLEY_VOICE=false: text-only"},
                "tts": {"state": "off", "detail": "PARLEY_VOICE=false: text-only"},
            },
        }


@pytest.mark.slow_model
def test_the_real_models_are_ready_once_the_start_up_has_loaded_them(
    llm_server: ServerProcess,
) -> None:
    deadline = time.monotonic() + 300
    while (ready := httpx.get(f"{llm_server.base_url}/health/ready")).status_code == 503:
        assert ready.json()["status"] == "loading"
        assert time.monotonic() < deadline, ready.json()
        time.sleep(0.5)
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"
    models = ready.json()["models"]
    assert {name: model["state"] for name, model in models.items()} == dict.fromkeys(
        ("llm", "vad", "stt", "tts"), "ready"
    )
