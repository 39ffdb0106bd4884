"""Voice-to-voice latency: end of the user's speech → first agent audio at the client.

Starts a real ``parley serve`` with the embedded defaults (Silero VAD, Whisper tiny.en, the
local LLM, the default voice) on 127.0.0.1 and holds one voice conversation over the
WebSocket, like a browser: 32 ms ``pcm_16000`` chunks in real time, silence between turns,
the agent's audio "played" in real time before the next question. Speech is synthetic
(espeak-ng; Debian package) and human (a recording from the moonshine-voice wheel), each
clean and with white noise at 10 dB SNR.

Printed: p50/p95 voice-to-voice latency, when each stage became visible to the client
(final transcript, first LLM text, first audio), Whisper's word error rate, peak server RSS.

Usage::

    .venv/bin/python -m benchmarks.voice_latency [--turns 20] [--model qwen2.5-coder-0.5b]
        [--env PARLEY_LLM_THREADS=2 ...] [--server-log FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import re
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import websockets

from parley.audio.codec import float32_to_pcm16
from tests.fakes.audio import espeak
from tests.human_speech import REFERENCES, human_speech
from tests.servers import ServerProcess

SENTENCES = [
    "Hello, I would like to book a table for two people tomorrow at seven in the evening.",
    "Can you tell me what the weather will be like in Boston this weekend?",
    "My order still has not arrived, and I paid for express shipping last Monday.",
    "Please cancel my subscription and send me a confirmation email.",
    "What time does the pharmacy on Main Street close tonight?",
    "I need to reset my password because I forgot it after the holidays.",
]
KEY = "sk_benchmark_" + "0" * 32
CHUNK = 512  # samples: 32 ms at 16 kHz, as browsers send
EVENTS = ["audio", "user_transcript", "agent_response", "internal_tentative_agent_response"]


@dataclass
class Turn:
    label: str
    reference: str
    heard: str = ""
    speech_end: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)  # stage → seconds after speech end


def speech_only(audio: np.ndarray) -> np.ndarray:
    """The clip up to its last audible sample: latency counts from the end of the speech,
    not from the end of the silence a recording happens to end with (espeak adds ~0.3 s)."""
    audible = np.nonzero(np.abs(audio) > 0.02 * np.abs(audio).max())[0]
    return audio[: audible[-1] + 1] if audible.size else audio


def noisy(audio: np.ndarray, snr_db: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    power = float(np.mean(audio**2))
    noise = rng.normal(0, np.sqrt(power / 10 ** (snr_db / 10)), audio.shape)
    return np.clip(audio + noise, -1, 1).astype(np.float32)


def word_error_rate(reference: str, hypothesis: str) -> float:
    ref = re.findall(r"[a-z']+", reference.lower())
    hyp = re.findall(r"[a-z']+", hypothesis.lower())
    d = np.zeros((len(ref) + 1, len(hyp) + 1), dtype=int)
    d[:, 0], d[0, :] = range(len(ref) + 1), range(len(hyp) + 1)
    for i in range(1, len(ref) + 1):
        for j in range(1, len(hyp) + 1):
            d[i, j] = min(
                d[i - 1, j] + 1, d[i, j - 1] + 1, d[i - 1, j - 1] + (ref[i - 1] != hyp[j - 1])
            )
    return float(d[-1, -1]) / max(1, len(ref))


class Client:
    """Streams audio in real time and timestamps what comes back."""

    def __init__(self, socket: Any) -> None:
        self.socket = socket
        self.events: list[tuple[float, dict[str, Any]]] = []
        self.audio_seconds = 0.0
        self.last_audio_at = 0.0

    async def receive(self) -> None:
        async for frame in self.socket:
            event = json.loads(frame)
            now = time.perf_counter()
            if event["type"] == "audio":
                samples = len(base64.b64decode(event["audio_event"]["audio_base_64"])) // 2
                self.audio_seconds += samples / 16000
                self.last_audio_at = now
            self.events.append((now, event))

    async def stream(self, audio: np.ndarray) -> float:
        """Send ``audio`` in real time; returns when its last chunk was sent."""
        pcm = float32_to_pcm16(audio).tobytes()
        started = time.perf_counter()
        for index, offset in enumerate(range(0, len(pcm), CHUNK * 2)):
            chunk = base64.b64encode(pcm[offset : offset + CHUNK * 2]).decode()
            await self.socket.send(json.dumps({"user_audio_chunk": chunk}))
            await asyncio.sleep(max(0.0, started + (index + 1) * 0.032 - time.perf_counter()))
        return time.perf_counter()

    async def silence(self, seconds: float) -> None:
        await self.stream(np.zeros(int(seconds * 16000), dtype=np.float32))

    def first(self, kind: str, after: float) -> float | None:
        return next((t for t, e in self.events if e["type"] == kind and t > after), None)


# stage → the first client event that shows it
STAGES = {
    "transcript": "user_transcript",
    "llm_first_text": "internal_tentative_agent_response",
    "first_audio": "audio",
}


async def run_turn(client: Client, turn: Turn, audio: np.ndarray) -> None:
    await client.silence(0.5)
    turn.speech_end = await client.stream(audio)
    deadline = time.perf_counter() + 20
    while time.perf_counter() < deadline and client.first("audio", turn.speech_end) is None:
        await client.silence(0.032 * 5)
    for stage, kind in STAGES.items():
        at = client.first(kind, turn.speech_end)
        if at is not None:
            turn.stages[stage] = at - turn.speech_end
    transcript = next(
        (e for t, e in client.events if e["type"] == "user_transcript" and t > turn.speech_end),
        None,
    )
    turn.heard = transcript["user_transcription_event"]["user_transcript"] if transcript else ""
    while time.perf_counter() - client.last_audio_at < 1.0:  # let the reply play out
        await client.silence(0.032 * 10)


def percentiles(values: list[float]) -> str:
    if len(values) < 2:
        return "n/a"
    q = statistics.quantiles([v * 1000 for v in values], n=100, method="inclusive")
    return f"p50 {q[49]:6.0f} ms  p95 {q[94]:6.0f} ms  (n={len(values)})"


async def drive(server: ServerProcess, turns: int) -> list[Turn]:
    body = {
        "conversation_config": {
            "agent": {
                "first_message": "Hi.",
                "prompt": {"prompt": "You are a helpful assistant. Answer in one short sentence."},
            },
            "conversation": {"client_events": EVENTS, "max_duration_seconds": 3600},
            "turn": {"turn_timeout": 30},
        }
    }
    async with httpx.AsyncClient(base_url=server.base_url, headers={"xi-api-key": KEY}) as rest:
        agent_id = (await rest.post("/v1/convai/agents/create", json=body)).json()["agent_id"]
    clips = []
    human = human_speech("clone-test")
    for index in range(turns):
        with_noise = index % 2 == 1
        if index % 4 < 2:
            speaker, reference = "espeak", SENTENCES[index // 4 % len(SENTENCES)]
            clean = espeak(reference)
        else:
            speaker, reference, clean = "human", REFERENCES["clone-test"], human
        label = f"{speaker}+noise10dB" if with_noise else speaker
        clean = speech_only(clean)
        clips.append((Turn(label, reference), noisy(clean, 10, index) if with_noise else clean))
    url = server.base_url.replace("http", "ws") + f"/v1/convai/conversation?agent_id={agent_id}"
    async with websockets.connect(url, max_size=None) as socket:
        client = Client(socket)
        receiver = asyncio.create_task(client.receive())
        await socket.send(json.dumps({"type": "conversation_initiation_client_data"}))
        await client.silence(3.0)  # the greeting plays
        for turn, audio in clips:
            await run_turn(client, turn, audio)
            ms = {stage: turn.stages.get(stage, float("nan")) * 1000 for stage in STAGES}
            print(
                f"  {turn.label:18s} v2v {ms['first_audio']:6.0f} ms"
                f" (transcript {ms['transcript']:4.0f}, text {ms['llm_first_text']:4.0f})"
                f"  heard: {turn.heard!r}"
            )
        receiver.cancel()
    return [turn for turn, _ in clips]


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def report(turns: list[Turn], rss: float) -> None:
    done = [t for t in turns if "first_audio" in t.stages]
    v2v = percentiles([t.stages["first_audio"] for t in done])
    print(f"\nvoice-to-voice (end of speech → first agent audio): {v2v}")
    for label in sorted({t.label for t in done}):
        subset = [t.stages["first_audio"] for t in done if t.label == label]
        print(f"  {label:18s} {percentiles(subset)}")
    for stage in STAGES:
        print(
            f"stage {stage:16s} {percentiles([t.stages[stage] for t in done if stage in t.stages])}"
        )
    for label in sorted({t.label for t in turns}):
        labelled = [t for t in turns if t.label == label]
        wer = statistics.mean(word_error_rate(t.reference, t.heard) for t in labelled)
        print(f"WER {label:18s} {wer * 100:5.1f} %")
    print(f"no answer: {len(turns) - len(done)} of {len(turns)} turns")
    print(f"peak server RSS: {rss:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--model", default="qwen2.5-coder-1.5b", help="PARLEY_LOCAL_LLM value")
    parser.add_argument("--server-log", type=Path, help="keep the server's (debug) log here")
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a server setting, e.g. PARLEY_LLM_THREADS=2 (repeatable)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        data = Path(scratch)
        server = ServerProcess(
            data,
            f"sqlite+aiosqlite:///{data / 'parley.db'}",
            KEY,
            {
                "PARLEY_LOCAL_LLM": args.model,
                "PARLEY_PRELOAD_MODELS": "true",
                "PARLEY_LOG_LEVEL": "debug" if args.server_log else "info",
                **dict(setting.split("=", 1) for setting in args.env),
            },
        )
        print(f"starting parley serve ({args.model}) ...")
        server.start(timeout=300)
        try:
            time.sleep(8)  # the models load in the background after start-up
            turns = asyncio.run(drive(server, args.turns))
            rss = peak_rss_mb(server.pid)
        finally:
            server.stop()
            if args.server_log:
                args.server_log.write_text(server.log())
    report(turns, rss)


if __name__ == "__main__":
    main()
