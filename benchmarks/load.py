"""Load: how many concurrent real-time voice conversations one Parley process sustains.

A Parley server runs on 127.0.0.1 in a child process (``python -m benchmarks.load serve``),
built by :func:`serve` with fast *benchmark fakes* in place of the models: an LLM that streams
a short reply at once, a VAD that scores each 32 ms frame by its energy, an STT that returns
a fixed sentence, and a TTS that renders each clause as a 24 kHz tone. Everything else is
production code: the WebSocket edge, frame parsing, base64 and PCM decoding, the per-frame VAD
and turn detection, the engine, resampling and encoding the reply to ``pcm_16000``, and the
SQLite store. The same process runs an event-loop lag probe (a 10 ms timer; lag is how late
it fires) and serves its figures, with the process's CPU time and RSS, at
``/benchmark/stats`` — a route only this launcher adds.

The load generator is one lean asyncio process: N ``websockets`` clients with pre-encoded
frames, one ticker that sends every call a 32 ms ``pcm_16000`` chunk (as browsers send; the
calls spread over each 32 ms, or all at once with ``--in-phase``), a reader per call. Callers
start talking when their conversation has started (``conversation_initiation_metadata``).
Each call speaks for 1.6 s every ``--cycle-seconds`` (a tone the VAD hears as speech) and
every third turn is typed instead (``user_message``); calls hang up after ``--call-seconds``
(± 20 %) and reconnect as new conversations, so a soak also churns.

Reported: conversations sustained (open to the end, every turn answered), the reply latency
(last speech chunk sent → first audio back, includes the end-of-turn silence), event-loop lag
p50/p99, server CPU per conversation, RSS per conversation, the client's own CPU, and, with
``--soak-seconds``, RSS over the soak.

Usage::

    .venv/bin/python -m benchmarks.load --conversations 300 --seconds 30
    .venv/bin/python -m benchmarks.load --conversations 300 --seconds 30 --soak-seconds 600
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from numpy.typing import NDArray
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from parley import serving
from parley.app import create_app
from parley.clock import SystemClock
from parley.providers.voice import VoiceProviders
from parley.settings import Settings
from tests.fakes.audio import FakeSTT, FakeVAD
from tests.fakes.llm import FakeLLM, say
from tests.fakes.recorder import MemoryRecorder
from tests.fakes.tts import FakeTTS
from tests.servers import free_port

KEY = "sk_benchmark_" + "0" * 32
CHUNK_SECONDS = 0.032  # what browsers send: 512 samples of pcm_16000
CHUNK_SAMPLES = 512
SEND_SLOTS = 16  # the calls' chunks arrive spread over each 32 ms, 2 ms apart
SPEECH_SECONDS = 1.6
REPLY = ("Sure. ", "We are open from nine ", "until six, ", "every day of the week.")
QUESTION = "what are your opening hours"
Audio = NDArray[np.float32]


# --- the server side: the shared fakes of the models (tests/fakes) --------------------------


def fake_models(llm_delay: float, stt_delay: float) -> tuple[FakeLLM, VoiceProviders]:
    """Cheap stand-ins for the models, so that only the server's own work is measured: the
    LLM streams :data:`REPLY` after ``llm_delay``, the STT hears :data:`QUESTION` in every
    utterance after ``stt_delay`` (idle waits, like remote models), the VAD scores each frame
    by its energy, and the TTS speaks a cached 24 kHz tone (Kokoro's rate, so replies are
    resampled to the client's 16 kHz), 60 ms per character. None of them keeps a history."""
    clock = SystemClock()
    llm = FakeLLM(lambda _request: say(*REPLY, delay=llm_delay), clock, record=False)
    voice = VoiceProviders(
        FakeVAD.from_energy(-40.0, record=False),
        FakeSTT(delay=stt_delay, clock=clock, then=QUESTION, record=False),
        FakeTTS(
            ("benchmark",),
            seconds_per_char=0.06,
            sample_rate=24_000,
            name="benchmark",
            record=False,
        ),
        "benchmark",
    )
    return llm, voice


class LagProbe:
    """How late a 10 ms timer fires on the server's event loop: the wait every ready event
    (an audio chunk, a reply) suffers at that moment. Also times the full (generation 2)
    garbage collections, which stop the loop for as long as they take."""

    INTERVAL = 0.01

    def __init__(self) -> None:
        self.samples: list[float] = []
        self.full_collections: list[float] = []  # seconds each took
        self._collection_started = 0.0
        self._task: asyncio.Task[None] | None = None
        gc.callbacks.append(self._on_collection)

    def _on_collection(self, phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._collection_started = time.perf_counter()
        else:
            self.full_collections.append(time.perf_counter() - self._collection_started)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            await asyncio.sleep(self.INTERVAL)
            self.samples.append(loop.time() - started - self.INTERVAL)

    async def stats(self, reset: bool = False) -> dict[str, Any]:
        """Lag since the last reset, CPU seconds and RSS of this process."""
        if self._task is None:
            self._task = asyncio.create_task(self._run())
        lag = sorted(self.samples)
        collections = self.full_collections
        if reset:
            self.samples = []
            self.full_collections = []
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return {
            "lag_ms": {
                "p50": _quantile(lag, 0.50) * 1000,
                "p99": _quantile(lag, 0.99) * 1000,
                "max": (lag[-1] if lag else 0.0) * 1000,
                "n": len(lag),
            },
            "full_gc_ms": [round(seconds * 1000, 1) for seconds in collections],
            "cpu_seconds": usage.ru_utime + usage.ru_stime,
            "rss_bytes": _rss_bytes(),
        }


def _quantile(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def _rss_bytes() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def serve(port: int, data_dir: Path, llm_delay: float, stt_delay: float) -> None:
    """The benchmark server: production app and serving, fake models, plus the probe route."""
    settings = Settings(
        host="127.0.0.1",
        port=port,
        data_dir=data_dir,
        api_key=KEY,
        preload_models=False,
        log_level="warning",
        shutdown_grace_seconds=0,
    )
    llm, voice = fake_models(llm_delay, stt_delay)
    app = create_app(settings, llm_override=llm, voice_override=voice)
    probe = LagProbe()
    app.add_api_route("/benchmark/stats", probe.stats, methods=["GET"])
    serving.run(app, settings)


# --- the client side: N real-time callers ----------------------------------------------------


def _frame(samples: NDArray[np.int16]) -> str:
    return json.dumps({"user_audio_chunk": base64.b64encode(samples.tobytes()).decode()})


def prerecorded_frames() -> tuple[list[str], str]:
    """The 32 ms frames of one utterance (a 220 Hz tone) and one frame of silence, as JSON."""
    t = np.arange(int(SPEECH_SECONDS * 16_000)) / 16_000
    speech = (0.3 * 32767 * np.sin(2 * np.pi * 220.0 * t)).astype(np.int16)
    chunks = [_frame(speech[i : i + CHUNK_SAMPLES]) for i in range(0, speech.size, CHUNK_SAMPLES)]
    return chunks, _frame(np.zeros(CHUNK_SAMPLES, dtype=np.int16))


@dataclass
class Results:
    latencies: list[float] = field(default_factory=list)  # last speech chunk → first audio
    text_latencies: list[float] = field(default_factory=list)  # user_message → agent_response
    setups: list[float] = field(default_factory=list)  # dialled → conversation started
    conversations: int = 0  # opened
    unexpected_closes: dict[str, int] = field(default_factory=dict)
    failed_connects: int = 0
    late_sends: int = 0  # sends the sender could not keep in real time (> 5 ms late)
    sends: int = 0  # each group's send, each 32 ms
    frames_sent: int = 0

    def closed(self, code: int | None, reason: str) -> None:
        key = f"{code} {reason[:40]}"
        self.unexpected_closes[key] = self.unexpected_closes.get(key, 0) + 1


class Call:
    """One caller: connects, speaks on the ticker's beat, reads everything, hangs up, again."""

    def __init__(self, index: int, offset: int, cycle_ticks: int, results: Results) -> None:
        self.index = index
        self.offset = offset  # in ticks, so the calls do not all speak at once
        self.cycle_ticks = cycle_ticks
        self.results = results
        self.ws: ClientConnection | None = None
        self.speech_sent_at: float | None = None  # the last chunk of the utterance in flight
        self.typed_at: float | None = None
        self.cycles = 0
        self.unanswered = 0  # turns sent that got no reply before the next one

    async def live(self, url: str, call_seconds: float, stop: asyncio.Event, deflate: bool) -> None:
        rng = np.random.default_rng(self.index)
        while not stop.is_set():
            dialled_at = time.monotonic()
            try:
                ws = await connect(
                    url,
                    open_timeout=30,
                    max_size=None,
                    compression="deflate" if deflate else None,
                )
            except (OSError, TimeoutError, ConnectionClosed):
                self.results.failed_connects += 1
                await asyncio.sleep(1)
                continue
            await ws.send(json.dumps({"type": "conversation_initiation_client_data"}))
            self.results.conversations += 1
            length = call_seconds * float(rng.uniform(0.8, 1.2))
            reading = asyncio.create_task(self._read(ws, dialled_at))
            stopping = asyncio.create_task(stop.wait())
            done, _ = await asyncio.wait({reading, stopping}, timeout=length)
            self.ws = None
            if reading in done:  # the server ended the call
                code = ws.close_code
                self.results.closed(code, ws.close_reason or "")
            stopping.cancel()
            reading.cancel()
            await ws.close()
            self.speech_sent_at = self.typed_at = None

    async def _read(self, ws: ClientConnection, dialled_at: float) -> None:
        try:
            async for message in ws:
                assert isinstance(message, str)
                kind = message[9 : message.find('"', 9)]  # {"type":"<kind>",...
                if kind == "conversation_initiation_metadata":
                    self.results.setups.append(time.monotonic() - dialled_at)
                    self.ws = ws  # the conversation has started: the caller talks (as the SDKs)
                elif kind == "audio" and self.speech_sent_at is not None:
                    self.results.latencies.append(time.monotonic() - self.speech_sent_at)
                    self.speech_sent_at = None
                elif kind == "agent_response" and self.typed_at is not None:
                    self.results.text_latencies.append(time.monotonic() - self.typed_at)
                    self.typed_at = None
                elif kind == "ping":
                    event_id = json.loads(message)["ping_event"]["event_id"]
                    await ws.send(json.dumps({"type": "pong", "event_id": event_id}))
        except ConnectionClosed:
            return

    def frame(self, tick: int, speech: list[str], silence: str) -> tuple[str, str | None]:
        """This tick's audio frame, and a typed message to send first, if any."""
        position = (tick + self.offset) % self.cycle_ticks
        if position == 0:
            self.cycles += 1
        if self.cycles % 3 == 0:  # every third turn is typed; the whole cycle is silent then
            if position == 0:
                return silence, json.dumps({"type": "user_message", "text": QUESTION})
            return silence, None
        return (speech[position] if position < len(speech) else silence), None


async def ticker(
    calls: list[Call],
    speech: list[str],
    silence: str,
    results: Results,
    stop: asyncio.Event,
    slots: int,
) -> None:
    """Every 32 ms, one frame to every open call: real-time audio, as browsers stream it.

    Independent browsers each keep their own 32 ms beat, so their chunks arrive spread over
    the interval: the calls are dealt into ``slots`` groups sent ``32 / slots`` ms apart. With
    one slot every call sends at the same instant, a burst no real audience produces (the
    worst case, ``--in-phase``)."""
    loop = asyncio.get_running_loop()
    next_at = loop.time()
    tick = 0
    groups = [calls[slot::slots] for slot in range(slots)]
    while not stop.is_set():
        for group in groups:
            await _send_frames(group, tick, speech, silence, results)
            results.sends += 1
            next_at += CHUNK_SECONDS / slots
            delay = next_at - loop.time()
            if delay < -0.005:
                results.late_sends += 1
            if delay < -1.0:  # hopelessly behind: drop the backlog rather than burst
                next_at = loop.time()
            await asyncio.sleep(max(0.0, delay))
        tick += 1


async def _send_frames(
    calls: list[Call], tick: int, speech: list[str], silence: str, results: Results
) -> None:
    now = time.monotonic()
    for call in calls:
        ws = call.ws
        if ws is None:
            continue
        frame, typed = call.frame(tick, speech, silence)
        try:
            if typed is not None:
                await ws.send(typed)
                call.typed_at = now
            await ws.send(frame)
        except ConnectionClosed:
            continue
        results.frames_sent += 1
        if frame is speech[-1]:
            call.speech_sent_at = now


# --- running it ------------------------------------------------------------------------------


@contextlib.contextmanager
def benchmark_server(llm_delay: float, stt_delay: float) -> Iterator[tuple[str, int]]:
    """Start :func:`serve` in a child process; yields its base URL and pid."""
    with tempfile.TemporaryDirectory() as scratch:
        port = free_port()
        log = (Path(scratch) / "server.log").open("wb")
        command = [sys.executable, "-m", "benchmarks.load", "serve", "--port", str(port)]
        command += ["--data-dir", scratch, "--llm-delay", str(llm_delay)]
        command += ["--stt-delay", str(stt_delay)]
        env = {k: v for k, v in os.environ.items() if not k.startswith("PARLEY_")}
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            command, stdout=log, stderr=subprocess.STDOUT, env=env
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((Path(scratch) / "server.log").read_text())
                try:
                    if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            yield base, process.pid
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
            log.close()


async def setup(rest: httpx.AsyncClient, vad_score: bool, record_voice: bool) -> str:
    """Create the agent; returns a signed conversation URL (reusable for 15 minutes)."""
    events = ["audio", "interruption", "user_transcript", "agent_response", "ping"]
    config: dict[str, Any] = {
        "agent": {"first_message": "Hi! How can I help?", "prompt": {"prompt": "Be brief."}},
        "conversation": {"client_events": events + (["vad_score"] if vad_score else [])},
    }
    settings = {"privacy": {"record_voice": record_voice}}
    created = await rest.post(
        "/v1/convai/agents/create",
        json={"conversation_config": config, "platform_settings": settings},
    )
    created.raise_for_status()
    agent_id = created.json()["agent_id"]
    signed = await rest.get("/v1/convai/conversation/get-signed-url", params={"agent_id": agent_id})
    signed.raise_for_status()
    url: str = signed.json()["signed_url"]
    return url


async def stats(rest: httpx.AsyncClient, reset: bool = False) -> dict[str, Any]:
    response = await rest.get("/benchmark/stats", params={"reset": reset})
    response.raise_for_status()
    figures: dict[str, Any] = response.json()
    return figures


def _ms(samples: list[float]) -> str:
    if len(samples) < 2:
        return "n/a"
    q = statistics.quantiles([s * 1000 for s in samples], n=100, method="inclusive")
    return f"p50 {q[49]:.0f} ms, p99 {q[98]:.0f} ms (n={len(samples)})"


async def run(args: argparse.Namespace) -> None:
    speech, silence = prerecorded_frames()
    cycle_ticks = round(args.cycle_seconds / CHUNK_SECONDS)
    with benchmark_server(args.llm_delay, args.stt_delay) as (base, pid):
        async with httpx.AsyncClient(
            base_url=base, headers={"xi-api-key": KEY}, timeout=30
        ) as rest:
            url = await setup(rest, args.vad_score, not args.no_recording)
            await stats(rest, reset=True)  # starts the probe
            await asyncio.sleep(5)  # the lag of the idle server: what the machine adds
            idle = await stats(rest, reset=True)
            results = Results()
            stop = asyncio.Event()
            calls = [
                Call(i, (i * 7919) % cycle_ticks, cycle_ticks, results)
                for i in range(args.conversations)
            ]
            lives = []
            print(f"opening {args.conversations} conversations (server pid {pid}) ...", flush=True)
            for start in range(0, len(calls), args.ramp_batch):
                for call in calls[start : start + args.ramp_batch]:
                    life = call.live(url, args.call_seconds, stop, not args.no_deflate)
                    lives.append(asyncio.create_task(life))
                await asyncio.sleep(args.ramp_batch / args.ramp_rate)
                if start == 0:
                    slots = 1 if args.in_phase else SEND_SLOTS
                    sending = ticker(calls, speech, silence, results, stop, slots)
                    sender = asyncio.create_task(sending)
            await asyncio.sleep(args.warmup_seconds)
            results.latencies.clear()
            results.text_latencies.clear()
            results.late_sends = results.sends = results.frames_sent = 0
            before = await stats(rest, reset=True)
            client_before = time.process_time()
            started = time.monotonic()
            await asyncio.sleep(args.seconds)
            after = await stats(rest, reset=True)
            elapsed = time.monotonic() - started
            client_cpu = (time.process_time() - client_before) / elapsed
            open_now = sum(call.ws is not None for call in calls)
            report(args, idle, before, after, elapsed, client_cpu, open_now, results)
            if args.soak_seconds > 0:
                await soak(rest, args, results)
            stop.set()
            await asyncio.gather(*lives, sender, return_exceptions=True)
    print(f"(server pid was {pid})")


def report(
    args: argparse.Namespace,
    idle: dict[str, Any],
    before: dict[str, Any],
    after: dict[str, Any],
    elapsed: float,
    client_cpu: float,
    open_now: int,
    results: Results,
) -> None:
    n = args.conversations
    server_cpu = (after["cpu_seconds"] - before["cpu_seconds"]) / elapsed
    rss_per_call = (after["rss_bytes"] - idle["rss_bytes"]) / n / 2**20
    lag = after["lag_ms"]
    late = results.late_sends / max(1, results.sends)
    arrival = "all at once" if args.in_phase else f"spread over the 32 ms in {SEND_SLOTS} groups"
    print(f"\n{n} conversations, real-time pcm_16000 in 32 ms chunks ({arrival}), ", end="")
    print(f"{elapsed:.0f} s measured")
    print(f"  load average               {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"  open at the end            {open_now} / {n}")
    print(f"  ended by the server        {sum(results.unexpected_closes.values())}", end="")
    print(f"  {results.unexpected_closes or ''}")
    print(f"  failed connects            {results.failed_connects}")
    print(f"  call set-up                {_ms(results.setups)}")
    print("    (dialled -> conversation_initiation_metadata, every call since the ramp began)")
    print(f"  spoken turns: reply        {_ms(results.latencies)}")
    print("    (last speech chunk sent -> first audio; includes the end-of-turn silence)")
    print(f"  typed turns: reply         {_ms(results.text_latencies)}")
    print(f"  event-loop lag             p50 {lag['p50']:.1f} ms, ", end="")
    print(f"p99 {lag['p99']:.1f} ms, max {lag['max']:.0f} ms")
    quiet = idle["lag_ms"]
    print(f"    (the idle server before the calls: p50 {quiet['p50']:.1f} ms, ", end="")
    print(f"p99 {quiet['p99']:.1f} ms: what the machine itself adds)")
    pauses = after["full_gc_ms"]
    print(f"  full garbage collections   {len(pauses)}", end="")
    print(f", longest {max(pauses):.0f} ms (the loop stops meanwhile)" if pauses else "")
    print(f"  server CPU                 {server_cpu:.0%} of a core, ", end="")
    print(f"{server_cpu / n * 1000:.2f} ms/s per conversation, ", end="")
    print(f"{server_cpu * elapsed / max(1, results.frames_sent) * 1e6:.0f} us per chunk received")
    print(f"  server RSS                 {after['rss_bytes'] / 2**20:.0f} MB ", end="")
    print(f"(idle {idle['rss_bytes'] / 2**20:.0f} MB): {rss_per_call:.2f} MB per conversation")
    print(f"  client CPU                 {client_cpu:.0%} of a core; ", end="")
    print(f"{late:.1%} of its sends ran over 5 ms late")


async def soak(rest: httpx.AsyncClient, args: argparse.Namespace, results: Results) -> None:
    """Keep the load on (calls keep hanging up and reconnecting) and watch RSS."""
    print(f"\nsoak: {args.soak_seconds:.0f} s, RSS every 10 s", flush=True)
    samples: list[tuple[float, float]] = []
    started = time.monotonic()
    opened = results.conversations
    worst = 0.0
    while (elapsed := time.monotonic() - started) < args.soak_seconds:
        figures = await stats(rest, reset=True)
        samples.append((elapsed, figures["rss_bytes"] / 2**20))
        worst = max(worst, figures["lag_ms"]["max"])
        if len(samples) % 6 == 0:
            print(
                f"  {elapsed:4.0f} s  RSS {samples[-1][1]:4.0f} MB  lag p99 "
                f"{figures['lag_ms']['p99']:5.0f} ms  worst {worst:5.0f} ms  "
                f"load {os.getloadavg()[0]:.1f}  ended {sum(results.unexpected_closes.values())}",
                flush=True,
            )
            worst = 0.0
        await asyncio.sleep(min(10.0, args.soak_seconds - elapsed))
    figures = await stats(rest)
    samples.append((time.monotonic() - started, figures["rss_bytes"] / 2**20))
    times = np.array([t for t, _ in samples])
    rss = np.array([r for _, r in samples])
    half = len(samples) // 2
    slope = float(np.polyfit(times[half:], rss[half:], 1)[0]) * 60 if len(samples) > 3 else 0
    print(f"  conversations opened       {results.conversations - opened} during the soak")
    print(f"  RSS                        start {rss[0]:.0f} MB, end {rss[-1]:.0f} MB, ", end="")
    print(f"max {rss.max():.0f} MB")
    print(f"  RSS trend, second half     {slope:+.2f} MB/min")
    print(f"  ended by the server        {results.unexpected_closes or 'none'}")


async def frames(count: int) -> None:
    """The per-frame path alone, in this process: ``parse_frame`` then ``Conversation.hear``
    for ``count`` chunks of the callers' script (turns included, a new conversation every two
    minutes of audio), as fast as it goes."""
    from parley.agents.view import resolve_agent
    from parley.api.audio_input import AudioIntake
    from parley.api.frames import parse_frame
    from parley.clock import SystemClock
    from parley.engine.conversation import Conversation, EngineOptions
    from parley.schemas.events import UserAudioChunk
    from tests.engine.harness import stored_agent

    speech, silence = prerecorded_frames()
    script = speech + [silence] * (round(8 / CHUNK_SECONDS) - len(speech))
    clock = SystemClock()
    llm, voice = fake_models(0, 0)
    view = resolve_agent(stored_agent(), None, "conv_frames", clock.now()).view
    sent = 0

    async def emit(event: Any) -> None:
        nonlocal sent
        sent += 1

    per_call = round(120 / CHUNK_SECONDS)  # a two-minute call, then the next one
    options = EngineOptions()

    def conversation() -> Conversation:
        return Conversation(
            view, llm, clock, emit, MemoryRecorder(record=False), options, voice=voice
        )

    cpu = 0.0
    for start in range(0, count, per_call):
        call = conversation()
        # the chunks come far faster than real time: allow a whole call's audio at once
        intake = AudioIntake(view.input_format, per_call * CHUNK_SECONDS + 1, clock)
        await call.start()
        started = time.process_time()
        for i in range(start, min(count, start + per_call)):
            event = parse_frame(script[i % len(script)])
            assert isinstance(event, UserAudioChunk)
            await call.hear(intake.take(event.user_audio_chunk))
            if i % 64 == 0:
                await asyncio.sleep(0)  # let the turns run
        cpu += time.process_time() - started
        if call.ended.is_set():
            raise RuntimeError(f"the conversation ended early ({call.close_reason})")
        await call.shutdown()
    print(f"{count} chunks: {cpu / count * 1e6:.1f} us CPU per 32 ms chunk ({sent} events out)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command")
    server = sub.add_parser("serve", help="(internal) the benchmark server")
    server.add_argument("--port", type=int, required=True)
    server.add_argument("--data-dir", type=Path, required=True)
    server.add_argument("--llm-delay", type=float, default=0.0)
    server.add_argument("--stt-delay", type=float, default=0.0)
    per_frame = sub.add_parser("frames", help="the per-frame path alone, in-process")
    per_frame.add_argument("--chunks", type=int, default=50_000)
    parser.add_argument("--conversations", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=30, help="the measured window")
    parser.add_argument("--soak-seconds", type=float, default=0, help="then a soak this long")
    parser.add_argument("--warmup-seconds", type=float, default=10)
    parser.add_argument("--cycle-seconds", type=float, default=8, help="one turn per cycle")
    parser.add_argument("--call-seconds", type=float, default=120, help="then hang up, redial")
    parser.add_argument("--ramp-rate", type=float, default=100, help="new calls per second")
    parser.add_argument("--ramp-batch", type=int, default=20)
    parser.add_argument("--llm-delay", type=float, default=0.3, help="first token (idle wait)")
    parser.add_argument("--stt-delay", type=float, default=0.1, help="transcript (idle wait)")
    parser.add_argument("--vad-score", action="store_true", help="also ask for vad_score")
    parser.add_argument(
        "--no-deflate", action="store_true", help="clients do not offer permessage-deflate"
    )
    parser.add_argument(
        "--no-recording",
        action="store_true",
        help="the agent does not record calls (privacy.record_voice: false)",
    )
    parser.add_argument(
        "--in-phase",
        action="store_true",
        help="every call sends its chunk at the same instant (worst case), not spread over 32 ms",
    )
    args = parser.parse_args()
    if args.command == "serve":
        serve(args.port, args.data_dir, args.llm_delay, args.stt_delay)
        return
    if args.command == "frames":
        asyncio.run(frames(args.chunks))
        return
    if not 1 <= args.conversations <= 2000 or args.seconds > 3600 or args.soak_seconds > 3600:
        parser.error("at most 2000 conversations and an hour per phase")
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
