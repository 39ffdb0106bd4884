"""Assembling packaged GGUF models, and the llama.cpp provider against the real 0.5B model."""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from parley.providers.llm.base import (
    ChatMessage,
    LLMChunk,
    LLMRequest,
    LLMUnavailableError,
    TextDelta,
    ToolCall,
    ToolSpec,
)
from parley.providers.llm.local_models import (
    MODELS,
    QWEN_CODER_0_5B,
    ModelFileError,
    ModelPart,
    PackagedModel,
    ensure_gguf,
    find_installed_part,
    resolve_model,
)

PIECES = [b"GGUF" + b"a" * 1000, b"b" * 2000, b"c" * 10, b"d" * 500]


def _fake_model(pieces: list[bytes], *, sha256: str | None = None) -> PackagedModel:
    whole = b"".join(pieces)
    return PackagedModel(
        key="fake",
        file_name="fake.gguf",
        sha256=sha256 or hashlib.sha256(whole).hexdigest(),
        size=len(whole),
        parts=tuple(
            ModelPart(f"fake-part{i}==1.0", f"fake_part{i}", f"data/part{i:02d}.bin")
            for i in range(1, len(pieces) + 1)
        ),
    )


def _install(root: Path, model: PackagedModel, pieces: list[bytes]) -> dict[str, Path]:
    """Lay the parts out like installed packages: ``<root>/<module>/<path>``."""
    files = {}
    for part, piece in zip(model.parts, pieces, strict=True):
        path = root / part.module / part.path
        path.parent.mkdir(parents=True)
        path.write_bytes(piece)
        files[part.module] = path
    return files


def _locator(files: dict[str, Path]) -> Callable[[ModelPart], Path | None]:
    return lambda part: files.get(part.module)


def test_joins_parts_verifies_and_reports_progress(tmp_path: Path) -> None:
    model = _fake_model(PIECES)
    files = _install(tmp_path / "site", model, PIECES)
    messages: list[str] = []
    cache = tmp_path / "cache"

    path = ensure_gguf(model, cache, messages.append, locate=_locator(files))

    assert path == cache / "fake.gguf"
    assert path.read_bytes() == b"".join(PIECES)
    assert [p.name for p in cache.iterdir()] == ["fake.gguf"]  # no temporary file left
    assert any("2/4" in m for m in messages)
    assert "verified" in messages[-1]


def test_existing_file_is_reused_without_the_parts(tmp_path: Path) -> None:
    model = _fake_model(PIECES)
    files = _install(tmp_path / "site", model, PIECES)
    path = ensure_gguf(model, tmp_path, lambda _: None, locate=_locator(files))
    messages: list[str] = []

    again = ensure_gguf(model, tmp_path, messages.append, locate=lambda _: None)
    verified = ensure_gguf(
        model, tmp_path, messages.append, locate=lambda _: None, verify_existing=True
    )

    assert again == verified == path
    assert messages == []


def test_existing_file_of_the_wrong_size_is_rebuilt(tmp_path: Path) -> None:
    model = _fake_model(PIECES)
    files = _install(tmp_path / "site", model, PIECES)
    (tmp_path / "fake.gguf").write_bytes(b"GGUF truncated")

    path = ensure_gguf(model, tmp_path, lambda _: None, locate=_locator(files))

    assert path.read_bytes() == b"".join(PIECES)


def test_sha256_mismatch_deletes_the_result_and_says_what_to_reinstall(tmp_path: Path) -> None:
    model = _fake_model(PIECES, sha256="0" * 64)
    files = _install(tmp_path / "site", model, PIECES)
    cache = tmp_path / "cache"

    with pytest.raises(ModelFileError, match="corrupt") as caught:
        ensure_gguf(model, cache, lambda _: None, locate=_locator(files))

    assert "pip install --force-reinstall fake-part1==1.0" in str(caught.value)
    assert not caught.value.retryable
    assert list(cache.iterdir()) == []


def test_missing_parts_name_the_packages_to_install(tmp_path: Path) -> None:
    model = _fake_model(PIECES)
    files = _install(tmp_path / "site", model, PIECES)
    del files["fake_part2"], files["fake_part4"]

    with pytest.raises(LLMUnavailableError, match=r"pip install fake-part2==1.0 fake-part4==1.0"):
        ensure_gguf(model, tmp_path / "cache", lambda _: None, locate=_locator(files))


def test_a_users_own_gguf_file_is_used_in_place(tmp_path: Path) -> None:
    own = tmp_path / "mine.gguf"
    own.write_bytes(b"GGUF\x03\x00\x00\x00")
    assert ensure_gguf(own, tmp_path / "cache", lambda _: None) == own

    with pytest.raises(ModelFileError, match="not found"):
        ensure_gguf(tmp_path / "absent.gguf", tmp_path, lambda _: None)
    (tmp_path / "text.gguf").write_text("hello")
    with pytest.raises(ModelFileError, match="not a GGUF"):
        ensure_gguf(tmp_path / "text.gguf", tmp_path, lambda _: None)


def test_resolve_model_maps_keys_and_paths(tmp_path: Path) -> None:
    assert resolve_model("qwen2.5-coder-0.5b") is QWEN_CODER_0_5B
    assert resolve_model(str(tmp_path / "x.gguf")) == tmp_path / "x.gguf"
    assert set(MODELS) == {"qwen2.5-coder-1.5b", "qwen2.5-coder-0.5b"}


def test_find_installed_part_uses_the_import_system(tmp_path: Path) -> None:
    assert find_installed_part(ModelPart("nope==1", "parley_no_such_package", "x.bin")) is None
    assert find_installed_part(ModelPart("parley", "parley", "__init__.py")) is not None


# --- the real model -------------------------------------------------------------------------

WEATHER = ToolSpec(
    name="get_weather",
    description="Get the current weather for a city.",
    parameters={
        "type": "object",
        "properties": {"location": {"type": "string", "description": "The city"}},
        "required": ["location"],
    },
)
SYSTEM = ChatMessage(
    "system", "You are a helpful voice assistant. Answer in one or two short sentences."
)


async def _collect(chunks: AsyncIterator[LLMChunk]) -> list[LLMChunk]:
    return [chunk async for chunk in chunks]


@pytest.fixture(scope="module")
def qwen_05b(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if any(find_installed_part(part) is None for part in QWEN_CODER_0_5B.parts):
        pytest.skip("the 0.5B model parts are not installed")
    pytest.importorskip("llama_cpp")
    cache = tmp_path_factory.mktemp("models")
    return ensure_gguf(QWEN_CODER_0_5B, cache, lambda _: None)


@pytest.mark.slow_model
async def test_real_model_speaks_calls_tools_and_stops(qwen_05b: Path) -> None:
    from parley.providers.llm.local import LocalLlamaLLM

    llm = await LocalLlamaLLM.from_model(qwen_05b, qwen_05b.parent, temperature=0.0)
    try:
        assert llm.name == f"local:{qwen_05b.stem}"
        chat = LLMRequest(messages=(SYSTEM, ChatMessage("user", "Tell me a fun fact about cats.")))
        reply = await _collect(llm.stream(chat))
        assert len(reply) > 3
        assert all(isinstance(chunk, TextDelta) for chunk in reply)

        question = ChatMessage("user", "What's the weather in Paris?")
        ask = LLMRequest(messages=(SYSTEM, question), tools=(WEATHER,))
        chunks = await _collect(llm.stream(ask))
        calls = [chunk for chunk in chunks if isinstance(chunk, ToolCall)]
        assert chunks == calls  # nothing spoken, in particular no invented weather
        assert len(calls) == 1
        assert calls[0].name == "get_weather"
        assert "paris" in str(calls[0].arguments.get("location", "")).lower()

        result = '{"temperature_celsius": 17, "condition": "light rain"}'
        answer_request = LLMRequest(
            messages=(
                SYSTEM,
                question,
                ChatMessage("assistant", tool_calls=(calls[0],)),
                ChatMessage("tool", result, tool_call_id=calls[0].call_id),
            ),
            tools=(WEATHER,),
        )
        answer = await _collect(llm.stream(answer_request))
        text = "".join(chunk.text for chunk in answer if isinstance(chunk, TextDelta))
        assert "17" in text or "rain" in text.lower(), text

        story = LLMRequest(
            messages=(SYSTEM, ChatMessage("user", "Tell me a long story about a dragon.")),
            max_tokens=200,
        )
        chunks_seen = 0
        async with asyncio.timeout(30):
            async for _ in llm.stream(story):
                chunks_seen += 1
                if chunks_seen == 3:
                    started = time.monotonic()
                    break
        assert time.monotonic() - started < 1.0

        again = await _collect(llm.stream(chat))
        assert any(isinstance(chunk, TextDelta) and chunk.text.strip() for chunk in again)
    finally:
        await llm.aclose()
