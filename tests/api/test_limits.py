"""Limits and access on the conversation WebSocket, in-process with a scripted LLM.

Who may connect (Origin allowlist, signed URLs, a per-address rate for public agents), how
many may talk at once (``call_limits``, the server-wide cap) and the bounds on everything a
client controls: silence, message size, audio rate, and a client that stops reading.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from starlette.types import Message
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from parley.app import create_app
from parley.conversations.access import CallLimits, DailyStarts, origin_refusal
from parley.conversations.service import Admission, AdmissionRefusedError
from parley.ratelimit import KeyedBuckets, TokenBucket
from tests.api.test_conversation_socket import INIT, closed_with, create_agent, receive_until
from tests.conftest import TEST_KEY, services_of, socket_test_settings
from tests.fakes.llm import FakeLLM, say
from tests.servers import ServerProcess
from tests.virtual_clock import VirtualClock

SOCKET = "/v1/convai/conversation"
MakeClient = Callable[..., TestClient]


@pytest.fixture
def make_client(tmp_path: Path) -> Iterator[MakeClient]:
    """Build an in-process server with some settings changed (one per test)."""
    with ExitStack() as stack:

        def make(**overrides: Any) -> TestClient:
            settings = socket_test_settings(tmp_path, **overrides)
            llm = FakeLLM([say("Answer.") for _ in range(20)])
            app = create_app(settings, llm_override=llm)
            return stack.enter_context(TestClient(app, headers={"xi-api-key": TEST_KEY}))

        yield make


def refused(client: TestClient, url: str, **kwargs: Any) -> str:
    """Connect to ``url``; it must be refused with 1008. Returns the reason."""
    with client.websocket_connect(url, **kwargs) as ws:
        code, reason, events = closed_with(ws)
    assert (code, events) == (1008, []), (code, reason, events)
    return reason


def starts(client: TestClient, url: str, **kwargs: Any) -> str:
    """Connect to ``url``; a conversation must start. Returns its id."""
    with client.websocket_connect(url, **kwargs) as ws:
        ws.send_json(INIT)
        metadata = ws.receive_json()
    assert metadata["type"] == "conversation_initiation_metadata", metadata
    conversation_id: str = metadata["conversation_initiation_metadata_event"]["conversation_id"]
    return conversation_id


def stored(client: TestClient, conversation_id: str, status: str) -> dict[str, Any]:
    """The stored conversation once it reaches ``status`` (written just after the close)."""
    for _ in range(200):
        body: dict[str, Any] = client.get(f"/v1/convai/conversations/{conversation_id}").json()
        if body["status"] == status:
            return body
        time.sleep(0.01)
    raise AssertionError(f"conversation {conversation_id} is {body['status']}, not {status}")


# ---------------------------------------------------------------- access


def test_allowlist_matches_the_origin_host_exactly(make_client: MakeClient) -> None:
    client = make_client()
    allowlist = [{"hostname": "app.example.com"}, {"hostname": "localhost:3000"}]
    agent_id = create_agent(client, platform_settings={"auth": {"allowlist": allowlist}})
    url = f"{SOCKET}?agent_id={agent_id}"
    for origin in (
        "https://app.example.com",
        "https://APP.example.com:8443",
        "http://localhost:3000",
    ):
        starts(client, url, headers={"origin": origin})
    starts(client, url)  # server-side SDKs send no Origin: allowed unless required
    for origin in (
        "https://evil.example.com",
        "https://app.example.com.evil.net",
        "https://example.com",
        "http://localhost:3001",
        "null",
    ):
        reason = refused(client, url, headers={"origin": origin})
        assert "allowlist" in reason


def test_require_origin_header_is_stored_and_honoured(make_client: MakeClient) -> None:
    client = make_client()
    agent_id = create_agent(client, platform_settings={"auth": {"require_origin_header": True}})
    agent = client.get(f"/v1/convai/agents/{agent_id}").json()
    assert agent["platform_settings"]["auth"]["require_origin_header"] is True
    url = f"{SOCKET}?agent_id={agent_id}"
    assert "Origin header" in refused(client, url)
    starts(client, url, headers={"origin": "https://anywhere.example"})


def test_allowlist_applies_to_signed_urls_too(make_client: MakeClient) -> None:
    client = make_client()
    auth = {"enable_auth": True, "allowlist": [{"hostname": "app.example.com"}]}
    agent_id = create_agent(client, platform_settings={"auth": auth})
    signed = client.get(
        "/v1/convai/conversation/get-signed-url", params={"agent_id": agent_id}
    ).json()["signed_url"]
    url = signed.removeprefix("ws://testserver")
    assert "allowlist" in refused(client, url, headers={"origin": "https://evil.example"})
    starts(client, url, headers={"origin": "https://app.example.com"})


def test_public_agents_are_rate_limited_per_address(make_client: MakeClient) -> None:
    client = make_client(public_rate_per_minute=1, public_rate_burst=2)
    agent_id = create_agent(client)
    url = f"{SOCKET}?agent_id={agent_id}"
    starts(client, url)
    starts(client, url)
    assert "too many new conversations from this address" in refused(client, url)
    signed = client.get(
        "/v1/convai/conversation/get-signed-url", params={"agent_id": agent_id}
    ).json()["signed_url"]
    starts(client, signed.removeprefix("ws://testserver"))  # a key holder vouched for it


def test_no_public_rate_limit_when_set_to_zero(make_client: MakeClient) -> None:
    client = make_client(public_rate_per_minute=0, public_rate_burst=1)
    agent_id = create_agent(client)
    for _ in range(3):
        starts(client, f"{SOCKET}?agent_id={agent_id}")


@pytest.mark.virtual_time
async def test_rate_buckets_are_per_key_and_refill() -> None:
    clock = VirtualClock()
    buckets = KeyedBuckets(rate=0.5, capacity=2, clock=clock)
    assert [buckets.take("a"), buckets.take("a")] == [0.0, 0.0]
    assert buckets.take("a") == pytest.approx(2.0)
    assert buckets.take("b") == 0.0, "another address has its own bucket"
    await clock.advance(2.0)
    assert buckets.take("a") == 0.0


def test_keyed_buckets_forget_idle_keys_and_stay_bounded() -> None:
    clock = VirtualClock()
    buckets = KeyedBuckets(rate=1.0, capacity=1, clock=clock, max_keys=100)
    for n in range(1000):
        buckets.take(f"10.0.{n // 256}.{n % 256}")
    assert len(buckets) <= 100


@pytest.mark.virtual_time
async def test_token_bucket_allows_a_burst_then_the_rate() -> None:
    clock = VirtualClock()
    bucket = TokenBucket(rate=1.0, capacity=3.0, clock=clock)
    assert bucket.take(3.0)
    assert not bucket.take(0.5)
    await clock.advance(0.5)
    assert bucket.take(0.5)
    assert bucket.seconds_until(1.0) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("auth", "origin", "allowed"),
    [
        ({}, None, True),
        ({}, "https://a.example", True),
        ({"allowlist": []}, "https://a.example", True),
        ({"allowlist": [{"hostname": "a.example"}]}, "https://a.example", True),
        ({"allowlist": [{"hostname": "A.Example"}]}, "https://a.example:8443", True),
        ({"allowlist": [{"hostname": "https://a.example/"}]}, "https://a.example", True),
        ({"allowlist": [{"hostname": "a.example"}]}, "https://b.a.example", False),
        ({"allowlist": [{"hostname": "a.example:8443"}]}, "https://a.example", False),
        ({"allowlist": [{"hostname": "a.example"}]}, "not a url", False),
        ({"allowlist": [{"hostname": "a.example"}]}, None, True),
        ({"allowlist": [{"hostname": "a.example"}], "require_origin_header": True}, None, False),
        ({"require_origin_header": True}, "https://b.example", True),
    ],
)
def test_origin_rules(auth: dict[str, Any], origin: str | None, allowed: bool) -> None:
    assert (origin_refusal(auth, origin) is None) is allowed


@pytest.mark.parametrize(
    ("call_limits", "expected"),
    [
        ({}, (None, None)),
        ({"agent_concurrency_limit": -1, "daily_limit": 100000}, (None, 100000)),
        ({"agent_concurrency_limit": 0, "daily_limit": -1}, (0, None)),
        ({"agent_concurrency_limit": 3}, (3, None)),
    ],
)
def test_call_limits_read_minus_one_as_none(
    call_limits: dict[str, Any], expected: tuple[int | None, int | None]
) -> None:
    limits = CallLimits.of({"call_limits": call_limits})
    assert (limits.concurrency, limits.daily) == expected


# ---------------------------------------------------------------- call limits


def test_agent_concurrency_limit_refuses_then_frees_up(make_client: MakeClient) -> None:
    client = make_client()
    limits = {"call_limits": {"agent_concurrency_limit": 1}}
    agent_id = create_agent(client, platform_settings=limits)
    other_id = create_agent(client)
    url = f"{SOCKET}?agent_id={agent_id}"
    with client.websocket_connect(url) as first:
        first.send_json(INIT)
        receive_until(first, "agent_response")
        assert "agent_concurrency_limit of 1" in refused(client, url)
        starts(client, f"{SOCKET}?agent_id={other_id}")  # another agent is not affected
    for _ in range(200):  # the first call is released once its socket handler is done
        with client.websocket_connect(url) as ws:
            ws.send_json(INIT)
            event = ws.receive_json()
        if event["type"] == "conversation_initiation_metadata":
            return
        time.sleep(0.01)
    raise AssertionError("the agent stayed at its limit after the first call ended")


def test_daily_limit_counts_todays_stored_conversations(make_client: MakeClient) -> None:
    client = make_client()
    agent_id = create_agent(client, platform_settings={"call_limits": {"daily_limit": 2}})
    url = f"{SOCKET}?agent_id={agent_id}"
    starts(client, url)
    starts(client, url)
    assert "daily_limit of 2" in refused(client, url)
    listed = client.get("/v1/convai/conversations", params={"agent_id": agent_id}).json()
    assert len(listed["conversations"]) == 2, "a refused connection stores nothing"


@pytest.mark.virtual_time
async def test_daily_starts_are_read_from_storage_once_a_day_then_counted() -> None:
    day = 86_400
    clock = VirtualClock(start=20_000 * day + 23 * 3600)  # 23:00 UTC
    queries: list[tuple[str, float]] = []

    async def count_since(agent_id: str, since: float) -> int:
        queries.append((agent_id, since))
        return 5  # stored before this process started

    daily = DailyStarts(count_since, clock)
    daily.add("agent_a")  # no daily limit yet: not counted here, storage has it
    await asyncio.gather(daily.load("agent_a"), daily.load("agent_a"))
    assert (daily.started("agent_a"), queries) == (5, [("agent_a", 20_000 * day)])
    daily.add("agent_a")
    daily.add("agent_a")
    daily.add("agent_a", -1)  # a claim that failed
    await daily.load("agent_a")
    assert (daily.started("agent_a"), len(queries)) == (6, 1), "counted here, not queried"
    await clock.advance(3600)  # midnight UTC
    assert daily.started("agent_a") == 0
    await daily.load("agent_a")
    assert queries[-1] == ("agent_a", 20_001 * day), "a new day is read from storage again"


def ramp(client: TestClient, agent_id: str, calls: int) -> tuple[list[Admission], list[str]]:
    """``calls`` admissions to ``agent_id`` at once; the admitted ones are released again."""
    conversations = services_of(client).conversations
    assert client.portal is not None

    async def all_at_once() -> list[Admission | BaseException]:
        admitting = [conversations.admit(agent_id, None) for _ in range(calls)]
        return await asyncio.gather(*admitting, return_exceptions=True)

    results = client.portal.call(all_at_once)
    admitted = [r for r in results if isinstance(r, Admission)]
    for admission in admitted:
        conversations.release(admission)
    refusals = [r.reason for r in results if isinstance(r, AdmissionRefusedError)]
    assert len(admitted) + len(refusals) == calls, results
    return admitted, refusals


def test_admissions_write_at_once_and_the_concurrency_limit_holds(
    make_client: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ramp of new calls: no admission waits for another's database write (they queued
    behind one lock before), and the limit still holds: checked and reserved in one step."""
    client = make_client()
    limits = {"call_limits": {"agent_concurrency_limit": 3}}
    agent_id = create_agent(client, platform_settings=limits)
    store = services_of(client).conversation_store
    real_claim, in_flight, most = store.claim, 0, 0

    async def slow_claim(conversation_id: str, agent: str) -> bool:
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        await asyncio.sleep(0.05)  # a busy database
        try:
            return bool(await real_claim(conversation_id, agent))
        finally:
            in_flight -= 1

    monkeypatch.setattr(store, "claim", slow_claim)
    admitted, refusals = ramp(client, agent_id, 6)
    assert len(admitted) == 3
    assert all("agent_concurrency_limit of 3" in reason for reason in refusals)
    assert most == 3, "the admitted calls' rows were written at the same time"


def test_the_daily_limit_holds_for_calls_admitted_at_once(make_client: MakeClient) -> None:
    client = make_client()
    agent_id = create_agent(client, platform_settings={"call_limits": {"daily_limit": 2}})
    admitted, refusals = ramp(client, agent_id, 5)
    assert len(admitted) == 2
    assert all("daily_limit of 2" in reason for reason in refusals)


def test_server_wide_cap(make_client: MakeClient) -> None:
    client = make_client(max_conversations=1)
    first_agent, second_agent = create_agent(client), create_agent(client)
    with client.websocket_connect(f"{SOCKET}?agent_id={first_agent}") as ws:
        ws.send_json(INIT)
        receive_until(ws, "agent_response")
        reason = refused(client, f"{SOCKET}?agent_id={second_agent}")
    assert "limit of 1 concurrent conversations" in reason


# ---------------------------------------------------------------- bounds on the client


def test_a_silent_client_is_closed_with_transport_receive_timeout(
    make_client: MakeClient,
) -> None:
    client = make_client(idle_timeout_seconds=0.3)
    agent_id = create_agent(client)
    with client.websocket_connect(f"{SOCKET}?agent_id={agent_id}") as ws:
        ws.send_json(INIT)
        metadata = receive_until(ws, "agent_response")[0]
        code, reason, events = closed_with(ws)
    assert code == 1002
    assert "No user input" in reason
    assert events[-1]["error_event"]["error_type"] == "transport_receive_timeout"
    conversation_id = metadata["conversation_initiation_metadata_event"]["conversation_id"]
    body = stored(client, conversation_id, "failed")
    assert body["transcript"][0]["message"] == "Hi! Ask me anything."


def test_client_input_keeps_the_socket_open(make_client: MakeClient) -> None:
    client = make_client(idle_timeout_seconds=0.5)
    agent_id = create_agent(client)
    with client.websocket_connect(f"{SOCKET}?agent_id={agent_id}") as ws:
        ws.send_json(INIT)
        receive_until(ws, "agent_response")
        for _ in range(4):  # 1.2 s in all, never 0.5 s without input
            time.sleep(0.3)
            ws.send_json({"type": "user_activity"})
        ws.send_json({"type": "user_message", "text": "Still here"})
        assert receive_until(ws, "agent_response")[-1]["agent_response_event"]["agent_response"]


def test_an_oversized_message_closes_with_1009(make_client: MakeClient) -> None:
    client = make_client(ws_max_message_bytes=4096)
    agent_id = create_agent(client)
    with client.websocket_connect(f"{SOCKET}?agent_id={agent_id}") as ws:
        ws.send_json(INIT)
        metadata = receive_until(ws, "agent_response")[0]
        ws.send_json({"type": "user_message", "text": "é" * 2100})  # 4200+ bytes, 2100 chars
        code, reason, events = closed_with(ws)
    assert code == 1009
    assert "over the limit of 4096 bytes" in reason
    assert events[-1]["error_event"]["error_type"] == "invalid_message"
    conversation_id = metadata["conversation_initiation_metadata_event"]["conversation_id"]
    assert stored(client, conversation_id, "failed")["metadata"]["termination_reason"] == reason


def test_audio_faster_than_real_time_is_refused(make_client: MakeClient) -> None:
    client = make_client(audio_burst_seconds=1.0)
    agent_id = create_agent(client)
    half_second = base64.b64encode(b"\0\0" * 8000).decode()  # pcm_16000
    with client.websocket_connect(f"{SOCKET}?agent_id={agent_id}") as ws:
        ws.send_json(INIT)
        receive_until(ws, "agent_response")
        for _ in range(4):  # 2 s of audio at once: 1 s over the allowance
            ws.send_json({"user_audio_chunk": half_second})
        code, reason, events = closed_with(ws)
    assert (code, "faster than real time" in reason) == (1008, True)
    assert events[-1]["error_event"]["error_type"] == "invalid_message"


def test_real_time_audio_is_accepted(make_client: MakeClient) -> None:
    client = make_client(audio_burst_seconds=0.3)
    agent_id = create_agent(client)
    chunk = base64.b64encode(b"\0\0" * 1600).decode()  # 100 ms
    with client.websocket_connect(f"{SOCKET}?agent_id={agent_id}") as ws:
        ws.send_json(INIT)
        receive_until(ws, "agent_response")
        for _ in range(8):
            ws.send_json({"user_audio_chunk": chunk})
            time.sleep(0.1)
        ws.send_json({"type": "user_message", "text": "Hello"})
        assert receive_until(ws, "agent_response")[-1]["agent_response_event"]["agent_response"]


async def _stuck_client(app: Any, agent_id: str, sent: list[dict[str, Any]]) -> None:
    """Talk to the ASGI app directly as a client that stops reading after two messages."""
    incoming: asyncio.Queue[Message] = asyncio.Queue()
    for message in (
        {"type": "websocket.connect"},
        {"type": "websocket.receive", "text": json.dumps(INIT)},
        {"type": "websocket.receive", "text": json.dumps({"type": "user_message", "text": "Hi"})},
    ):
        incoming.put_nowait(message)
    never = asyncio.Event()

    async def receive() -> Message:
        return await incoming.get()

    async def send(message: Message) -> None:
        if message["type"] == "websocket.send":
            if len(sent) >= 2:
                await never.wait()  # the client's TCP window is full: this send never ends
            sent.append(json.loads(message["text"]))

    scope = {
        "type": "websocket",
        "asgi": {"version": "3.0"},
        "scheme": "ws",
        "path": SOCKET,
        "raw_path": SOCKET.encode(),
        "root_path": "",
        "query_string": f"agent_id={agent_id}".encode(),
        "headers": [(b"host", b"testserver")],
        "client": ("192.0.2.1", 5000),
        "server": ("testserver", 80),
        "subprotocols": [],
        "state": {},
    }
    async with asyncio.timeout(10):
        await app(scope, receive, send)


def test_a_client_that_stops_reading_is_dropped(make_client: MakeClient) -> None:
    client = make_client(send_timeout_seconds=0.3)
    agent_id = create_agent(client)
    sent: list[dict[str, Any]] = []
    assert client.portal is not None
    started = time.monotonic()
    client.portal.call(_stuck_client, client.app, agent_id, sent)
    assert time.monotonic() - started < 5, "the handler must give up on the stuck client"
    conversation_id = sent[0]["conversation_initiation_metadata_event"]["conversation_id"]
    body = stored(client, conversation_id, "done")
    assert body["metadata"]["termination_reason"].startswith("client stopped reading")
    assert [t["message"] for t in body["transcript"]] == ["Hi! Ask me anything.", "Hi", "Answer."]
    starts(client, f"{SOCKET}?agent_id={agent_id}")  # and the server serves everyone else


def _close_of(ws: ClientConnection) -> ConnectionClosed:
    """Read until the server closes the socket."""
    for _ in range(100):
        try:
            ws.recv(timeout=10)
        except ConnectionClosed as closed:
            return closed
    raise AssertionError("the server did not close the socket")


def test_uvicorn_refuses_an_oversized_message_with_1009(tmp_path: Path) -> None:
    """On the real server uvicorn enforces the size (ws_max_size) before the app reads it."""
    server = ServerProcess(
        tmp_path,
        f"sqlite+aiosqlite:///{tmp_path / 'parley.db'}",
        TEST_KEY,
        {"PARLEY_WS_MAX_MESSAGE_BYTES": "4096"},
    )
    server.start()
    try:
        with httpx.Client(base_url=server.base_url, headers={"xi-api-key": TEST_KEY}) as api:
            agent_id = api.post(
                "/v1/convai/agents/create",
                json={"conversation_config": {"agent": {"first_message": "Hi."}}},
            ).json()["agent_id"]
            url = f"ws://127.0.0.1:{server.port}{SOCKET}?agent_id={agent_id}"
            with connect(url) as ws:
                ws.send(json.dumps(INIT))
                metadata = json.loads(ws.recv(timeout=10))
                ws.send(json.dumps({"type": "user_message", "text": "x" * 5000}))
                closed = _close_of(ws)
            assert closed.rcvd is not None
            assert closed.rcvd.code == 1009
            conversation_id = metadata["conversation_initiation_metadata_event"]["conversation_id"]
            for _ in range(100):
                body = api.get(f"/v1/convai/conversations/{conversation_id}").json()
                if body["status"] in ("done", "failed"):
                    break
                time.sleep(0.05)
            assert body["status"] == "failed"
            assert body["metadata"]["termination_reason"].startswith("message too big")
    finally:
        server.stop()
