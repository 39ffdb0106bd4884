"""Assembling packaged GGUF models, and the llama.cpp provider against the real 0.5B model."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from parley.providers.llm.base import (
    ChatMessage,
    LLMChunk,
    LLMError,
    LLMRequest,
    LLMUnavailableError,
    TextDelta,
    ToolCall,
    ToolSpec,
)
from parley.providers.llm.local import (
    DEFAULT_MAX_TOKENS,
    DEFAULT_TEMPERATURE,
    TOOL_RESULT_NUDGE,
    LocalLlamaLLM,
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
from tests.servers import MODEL_CACHE

with contextlib.suppress(ImportError):
    # Imported at collection time on purpose: imported for the first time inside a test
    # (under filterwarnings=error), llama_cpp's never-closed /dev/null handles are reported
    # as "Exception ignored ... ResourceWarning" when the interpreter exits.
    import llama_cpp  # noqa: F401

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


WEATHER = ToolSpec(
    name="get_weather",
    description="Get the current weather for a city.",
    parameters={
        "type": "object",
        "properties": {"location": {"type": "string", "description": "The city"}},
        "required": ["location"],
    },
)
QUESTION = ChatMessage("user", "What's the weather in Paris?")
SYSTEM = ChatMessage(
    "system", "You are a helpful voice assistant. Answer in one or two short sentences."
)


async def _collect(chunks: AsyncIterator[LLMChunk]) -> list[LLMChunk]:
    return [chunk async for chunk in chunks]


# --- the provider, with a scripted model in place of llama.cpp -----------------------------


class FakeModel:
    """Streams scripted pieces in llama-cpp-python's chunk format, like ``Llama`` does.

    It first "reads the prompt" for ``prompt_seconds``, giving up as :class:`LlamaModel`
    does once its ``interrupt`` event is set.
    """

    def __init__(
        self,
        pieces: Iterable[str] = (),
        *,
        delay: float = 0.0,
        error: Exception | None = None,
        prompt_seconds: float = 0.0,
    ) -> None:
        self.pieces = pieces
        self.delay = delay
        self.error = error
        self.prompt_seconds = prompt_seconds
        self.interrupt = threading.Event()
        self.reading = threading.Event()
        self.aborted = 0
        self.requests: list[dict[str, Any]] = []
        self.threads: set[str] = set()
        self.active = 0
        self.most_active = 0
        self.finished = threading.Event()
        self.closed = False

    def create_chat_completion(
        self, interrupt: threading.Event, **kwargs: Any
    ) -> Iterator[dict[str, Any]]:
        self.interrupt = interrupt
        self.requests.append(kwargs)
        return self._chunks()

    def _chunks(self) -> Iterator[dict[str, Any]]:
        self.threads.add(threading.current_thread().name)
        self.active += 1
        self.most_active = max(self.most_active, self.active)
        try:
            self._read_prompt()
            yield {"choices": [{"delta": {"role": "assistant"}}]}
            for piece in self.pieces:
                time.sleep(self.delay)
                yield {"choices": [{"delta": {"content": piece}}]}
            if self.error is not None:
                raise self.error
        finally:
            self.active -= 1
            self.finished.set()

    def _read_prompt(self) -> None:
        self.reading.set()
        deadline = time.monotonic() + self.prompt_seconds
        while time.monotonic() < deadline:
            if self.interrupt.is_set():
                self.aborted += 1
                raise RuntimeError("llama_decode returned 2")
            time.sleep(0.002)

    def close(self) -> None:
        self.closed = True


def _fake_llm(model: FakeModel, **options: Any) -> LocalLlamaLLM:
    ids = iter(range(1, 1000))
    return LocalLlamaLLM(
        Path("fake.gguf"), loader=lambda _: model, call_ids=lambda: f"call_{next(ids)}", **options
    )


async def test_text_streams_as_it_is_generated_with_voice_defaults() -> None:
    model = FakeModel(["Sure", ", I can", " help."])
    llm = _fake_llm(model)
    try:
        chunks = await _collect(llm.stream(LLMRequest(messages=(SYSTEM, QUESTION))))
    finally:
        await llm.aclose()

    assert chunks == [TextDelta("Sure"), TextDelta(", I can"), TextDelta(" help.")]
    (request,) = model.requests
    assert request["temperature"] == DEFAULT_TEMPERATURE
    assert request["max_tokens"] == DEFAULT_MAX_TOKENS
    assert "tools" not in request
    assert request["messages"] == [
        {"role": "system", "content": SYSTEM.content},
        {"role": "user", "content": QUESTION.content},
    ]
    assert model.threads == {"llama_0"}
    assert model.closed
    assert llm.name == "local:fake"


async def test_a_json_reply_becomes_a_tool_call_and_is_not_spoken() -> None:
    model = FakeModel(
        ['{"name": "get_weather", ', '"arguments": {"location": "Paris"}}', "\nSunny."]
    )
    llm = _fake_llm(model)
    try:
        request = LLMRequest(messages=(SYSTEM, QUESTION), tools=(WEATHER,), temperature=0.0)
        chunks = await _collect(llm.stream(request))
    finally:
        await llm.aclose()

    assert chunks == [ToolCall("call_1", "get_weather", {"location": "Paris"})]
    assert model.requests[0]["tools"] == [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "description": WEATHER.description,
                "parameters": WEATHER.parameters,
            },
        }
    ]
    assert model.requests[0]["temperature"] == 0.0


async def test_tool_results_use_the_template_format_and_ask_for_an_answer() -> None:
    model = FakeModel(["It is 17 degrees."])
    llm = _fake_llm(model)
    call = ToolCall("call_7", "get_weather", {"location": "Paris"})
    history = (
        SYSTEM,
        QUESTION,
        ChatMessage("assistant", tool_calls=(call,)),
        ChatMessage("tool", '{"celsius": 17}', tool_call_id="call_7"),
    )
    try:
        await _collect(llm.stream(LLMRequest(messages=history, tools=(WEATHER,), max_tokens=9)))
    finally:
        await llm.aclose()

    request = model.requests[0]
    assert request["max_tokens"] == 9
    assert request["messages"][2:] == [
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [
                {
                    "id": "call_7",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": {"location": "Paris"}},
                }
            ],
        },
        {"role": "tool", "content": '{"celsius": 17}', "tool_call_id": "call_7"},
        {"role": "user", "content": TOOL_RESULT_NUDGE},
    ]


@pytest.mark.parametrize(
    ("error", "retryable"),
    [(ValueError("Requested tokens exceed context window"), False), (RuntimeError("decode"), True)],
)
async def test_generation_errors_become_llm_errors(error: Exception, retryable: bool) -> None:
    llm = _fake_llm(FakeModel(["partial"], error=error))
    try:
        with pytest.raises(LLMError, match="local model failed") as caught:
            await _collect(llm.stream(LLMRequest(messages=(QUESTION,))))
    finally:
        await llm.aclose()
    assert caught.value.retryable is retryable


async def test_cancelling_the_consumer_stops_the_generation_and_frees_the_model() -> None:
    model = FakeModel(itertools.repeat("la "), delay=0.005)
    llm = _fake_llm(model)
    started = asyncio.Event()

    async def consume() -> None:
        async for _ in llm.stream(LLMRequest(messages=(QUESTION,))):
            started.set()

    try:
        task = asyncio.create_task(consume())
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert model.finished.is_set()  # the llama iterator was closed in its own thread

        model.pieces = ["again"]
        assert await _collect(llm.stream(LLMRequest(messages=(QUESTION,)))) == [TextDelta("again")]
    finally:
        await llm.aclose()


async def test_cancelling_while_the_prompt_is_read_hands_the_model_on_at_once() -> None:
    model = FakeModel(["Hi."], prompt_seconds=5.0)
    llm = _fake_llm(model)
    try:
        reply = asyncio.create_task(_collect(llm.stream(LLMRequest(messages=(QUESTION,)))))
        await asyncio.to_thread(model.reading.wait, 5)
        queued = asyncio.create_task(_collect(llm.stream(LLMRequest(messages=(QUESTION,)))))
        await asyncio.sleep(0.05)
        model.prompt_seconds = 0.0  # the queued request's prompt is short
        cancelled_at = time.monotonic()
        reply.cancel()
        with pytest.raises(asyncio.CancelledError):
            await reply
        assert time.monotonic() - cancelled_at < 0.5  # not the 5 s the whole prompt takes
        assert model.aborted == 1
        # The aborted decode's error is not the next caller's: it gets the model and a reply.
        assert await asyncio.wait_for(queued, 0.5) == [TextDelta("Hi.")]
    finally:
        await llm.aclose()


async def test_generations_run_one_at_a_time() -> None:
    model = FakeModel(["a", "b", "c"], delay=0.01)
    llm = _fake_llm(model)
    request = LLMRequest(messages=(QUESTION,))
    try:
        replies = await asyncio.gather(*(_collect(llm.stream(request)) for _ in range(3)))
    finally:
        await llm.aclose()
    assert all(len(reply) == 3 for reply in replies)
    assert model.most_active == 1


async def test_a_prefill_reads_the_prompt_only_when_the_model_is_idle() -> None:
    model = FakeModel(["Sure", " thing."], delay=0.05)
    llm = _fake_llm(model)
    request = LLMRequest(messages=(SYSTEM, QUESTION), tools=(WEATHER,))
    try:
        await llm.prefill(request)
        assert model.requests == [], "an unloaded model is not loaded for a prefill"
        await llm.load()
        await llm.prefill(request)
        (prefill,) = model.requests
        assert prefill["max_tokens"] == 1
        reply = llm.stream(request)
        assert await anext(reply) == TextDelta("Sure")
        await llm.prefill(request)  # the reply holds the model: nothing waits, nothing runs
        assert len(model.requests) == 2
        await reply.aclose()
        asked = model.requests[1]
        assert (prefill["messages"], prefill["tools"]) == (asked["messages"], asked["tools"])
    finally:
        await llm.aclose()


async def test_concurrent_loads_share_one_load_and_a_failed_load_can_be_retried() -> None:
    attempts: list[Path] = []

    def flaky_loader(path: Path) -> FakeModel:
        attempts.append(path)
        if len(attempts) == 1:
            raise OSError("disk hiccup")
        return FakeModel()

    llm = LocalLlamaLLM(Path("m.gguf"), loader=flaky_loader)
    try:
        with pytest.raises(LLMUnavailableError, match="disk hiccup"):
            await llm.load()
        assert not llm.ready
        await asyncio.gather(llm.load(), llm.load(), llm.load())
        assert llm.ready
        assert len(attempts) == 2
    finally:
        await llm.aclose()


async def test_a_missing_model_file_is_reported_as_unavailable(tmp_path: Path) -> None:
    llm = LocalLlamaLLM(tmp_path / "absent.gguf")
    try:
        with pytest.raises(LLMUnavailableError) as caught:
            await _collect(llm.stream(LLMRequest(messages=(QUESTION,))))
    finally:
        await llm.aclose()
    assert not caught.value.retryable


# --- the real model -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def qwen_05b() -> Path:
    if any(find_installed_part(part) is None for part in QWEN_CODER_0_5B.parts):
        pytest.skip("the 0.5B model parts are not installed")
    pytest.importorskip("llama_cpp")
    cache = MODEL_CACHE
    return ensure_gguf(QWEN_CODER_0_5B, cache, lambda _: None)


@pytest.mark.slow_model
async def test_real_model_speaks_calls_tools_and_stops(qwen_05b: Path) -> None:
    # The fixture joined the parts into this cache already: from_model finds the file there.
    llm = await LocalLlamaLLM.from_model("qwen2.5-coder-0.5b", qwen_05b.parent, temperature=0.0)
    try:
        assert llm.name == "local:qwen2.5-coder-0.5b"
        chat = LLMRequest(
            messages=(SYSTEM, ChatMessage("user", "Tell me a fun fact about cats.")),
            max_tokens=40,
        )
        reply = await _collect(llm.stream(chat))
        assert len(reply) > 3
        assert all(isinstance(chunk, TextDelta) for chunk in reply)

        ask = LLMRequest(messages=(SYSTEM, QUESTION), tools=(WEATHER,))
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
                QUESTION,
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
        # Cancelling the consuming task stops generation between two tokens.
        started_speaking = asyncio.Event()

        async def speak() -> None:
            async for _ in llm.stream(story):
                started_speaking.set()

        task = asyncio.create_task(speak())
        await asyncio.wait_for(started_speaking.wait(), 10)
        cancelled_at = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert time.monotonic() - cancelled_at < 0.5

        # Leaving the loop early and closing the stream stops it too: the next request does not
        # wait for the rest of the 200-token story (bounds relative to this machine's speed).
        started = time.monotonic()
        await _collect(llm.stream(chat))
        one_chat = time.monotonic() - started
        async with contextlib.aclosing(llm.stream(story)) as chunks_left:
            async for _ in chunks_left:
                break
        closed_at = time.monotonic()

        again = await _collect(llm.stream(chat))
        assert time.monotonic() - closed_at < 2 * one_chat + 0.5
        assert any(isinstance(chunk, TextDelta) and chunk.text.strip() for chunk in again)
    finally:
        await llm.aclose()


@pytest.mark.slow_model
async def test_real_model_stops_reading_a_long_prompt_at_once(qwen_05b: Path) -> None:
    llm = await LocalLlamaLLM.from_model("qwen2.5-coder-0.5b", qwen_05b.parent, temperature=0.0)
    log = " ".join(f"Parcel {n} reached room {n % 40} at {n % 12 + 1} o'clock." for n in range(70))
    question = ChatMessage("user", "Which room did parcel 7 reach? Answer with the number.")
    read_whole = LLMRequest(messages=(ChatMessage("system", "Log: " + log), question), max_tokens=6)
    cancelled = LLMRequest(
        messages=(ChatMessage("system", "Log: " + log), ChatMessage("user", "Count them.")),
        max_tokens=6,
    )
    flush = LLMRequest(messages=(ChatMessage("system", "Be brief."), QUESTION), max_tokens=1)
    try:
        started = time.monotonic()
        expected = await _collect(llm.stream(read_whole))  # ~1000 tokens, from an empty cache
        reading = time.monotonic() - started
        await _collect(llm.stream(flush))  # the cache no longer holds the log

        # Cancelled part-way: the first 512-token batch stays cached, the one being read is
        # dropped; the queued request reuses that prefix and must answer as from scratch.
        reply = asyncio.create_task(_collect(llm.stream(cancelled)))
        queued = asyncio.create_task(_collect(llm.stream(read_whole)))
        await asyncio.sleep(reading * 0.7)  # inside the second batch
        cancelled_at = time.monotonic()
        reply.cancel()
        with pytest.raises(asyncio.CancelledError):
            await reply
        freed = time.monotonic() - cancelled_at
        assert freed < min(0.5, reading / 4), f"freed after {freed:.3f} s; reading {reading:.3f} s"
        assert await queued == expected
    finally:
        await llm.aclose()
