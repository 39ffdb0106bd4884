"""Property-based fuzzing: the frame parser, the agent-config validator and the REST API.

Whatever a client sends, the parser either returns a typed event or raises one of its two
errors; the validator either stores a document that validates again or names what is wrong;
and schemathesis, driven by Parley's own ``/openapi.json``, gets no 5xx from a real server.
Example counts are bounded so the whole file runs in well under a minute.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any, TypedDict

import httpx
import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from schemathesis import BaseSchema, Case, GenerationMode
from schemathesis.checks import not_a_server_error

from parley.agents.config import apply_defaults, validate_document
from parley.api.frames import FrameError, UnknownEventError, parse_frame
from parley.app import create_app
from parley.schemas.events import CLIENT_EVENT_TYPES
from parley.settings import Settings
from tests.conftest import TEST_KEY, in_process_settings, postgres_database
from tests.servers import ServerProcess

FAST = settings(max_examples=150, deadline=None)

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
field_names = st.sampled_from(
    ["text", "event_id", "tool_call_id", "result", "is_error", "user_audio_chunk", "score",
     "context_id", "dynamic_variables", "conversation_config_override", "source_info"]
)  # fmt: skip


def _parses_or_refuses(text: str) -> None:
    """Parsing returns an event or raises FrameError/UnknownEventError, each with a reason."""
    try:
        parse_frame(text)
    except (FrameError, UnknownEventError) as error:
        reason = str(error)
    else:
        return
    assert reason


@FAST
@given(st.text(max_size=200))
def test_any_text_frame_parses_or_is_refused(text: str) -> None:
    _parses_or_refuses(text)


@FAST
@given(
    st.sampled_from([*sorted(CLIENT_EVENT_TYPES), "teleport", ""]),
    st.dictionaries(field_names, json_values, max_size=5),
)
def test_any_event_shaped_frame_parses_or_is_refused(
    event_type: str, fields: dict[str, Any]
) -> None:
    _parses_or_refuses(json.dumps({"type": event_type, **fields}))
    _parses_or_refuses(json.dumps(fields))  # no type: audio chunk or unknown


config_sections = st.sampled_from(
    ["agent", "asr", "tts", "turn", "conversation", "language_presets", "vad"]
)
config_documents = st.fixed_dictionaries(
    {},
    optional={
        "conversation_config": st.dictionaries(
            config_sections, st.dictionaries(st.text(max_size=25), json_values, max_size=4)
        )
        | json_values,
        "platform_settings": st.dictionaries(
            st.sampled_from(["auth", "call_limits", "overrides", "privacy", "widget"]),
            json_values,
            max_size=3,
        ),
        "name": json_values,
        "tags": json_values,
        "workflow": json_values,
    },
)


@FAST
@given(config_documents)
def test_the_validator_stores_only_what_validates_again(document: dict[str, Any]) -> None:
    """As the API does it: the body is validated, then stored with the defaults filled in."""
    try:
        body = validate_document(document)
    except ValidationError as error:
        problems = error.errors()
    else:
        stored = validate_document(apply_defaults(body))
        assert validate_document(stored) == stored
        return
    assert problems
    assert all(problem["loc"] and problem["msg"] for problem in problems)


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    data: Path = tmp_path_factory.mktemp("fuzz-api")
    app_settings = in_process_settings(data, preload_models=False)
    with TestClient(create_app(app_settings), headers={"xi-api-key": TEST_KEY}) as client:
        yield client


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(config_documents)
def test_creating_any_agent_is_200_or_4xx(api: TestClient, document: dict[str, Any]) -> None:
    response = api.post("/v1/convai/agents/create", json=document)
    assert response.status_code in (200, 400, 422), response.text
    if response.status_code == 400:  # the only 400 for valid JSON: a NUL character
        assert response.json()["detail"]["status"] == "invalid_input"
    if response.status_code == 200:
        agent_id = response.json()["agent_id"]
        assert api.get(f"/v1/convai/agents/{agent_id}").status_code == 200


# ---------------------------------------------------------------- schemathesis


class Operation(TypedDict):
    """Selects an API operation in schemathesis' ``include``/``exclude``."""

    method: str
    path: str


# The document the server serves at /openapi.json (built without starting anything; the
# fixture checks the running server serves the same). schemathesis' lazy fixture loader does
# not work with pytest 9, so the schema is loaded eagerly. Its "coverage" phase enumerates
# boundary cases of every field at collection time, which takes minutes for the agent config
# (hundreds of nested fields): the random phases, valid and invalid input, run instead. For
# agent creation only valid bodies come from schemathesis (it cannot negate that schema);
# invalid ones come from test_creating_any_agent_is_200_or_4xx above.
OPENAPI = create_app(Settings(preload_models=False)).openapi()
CREATE = Operation(method="POST", path="/v1/convai/agents/create")


def _schema(modes: list[GenerationMode]) -> BaseSchema:
    loaded = schemathesis.openapi.from_dict(OPENAPI)
    loaded.config.phases.coverage.enabled = False
    loaded.config.generation.modes = modes
    return loaded


api_schema = _schema([GenerationMode.POSITIVE, GenerationMode.NEGATIVE]).exclude(**CREATE)
create_schema = _schema([GenerationMode.POSITIVE]).include(**CREATE)
FUZZ = settings(
    max_examples=20,
    deadline=None,
    database=None,  # a replayed failure from another run must not stretch this one
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def api_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    """A real server on each database (PostgreSQL refuses text SQLite takes, such as NUL)."""
    data = tmp_path_factory.mktemp("schemathesis")
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite+aiosqlite:///{data / 'parley.db'}"
        else:
            url = stack.enter_context(postgres_database())
        process = ServerProcess(data, url, TEST_KEY)
        process.start()
        stack.callback(process.stop)
        assert httpx.get(f"{process.base_url}/openapi.json").json() == OPENAPI
        yield process
        assert httpx.get(f"{process.base_url}/health").status_code == 200, "server went down"


def _no_server_error(case: Case[Any], server: ServerProcess) -> None:
    response = case.call(base_url=server.base_url, headers={"xi-api-key": TEST_KEY}, timeout=10)
    case.validate_response(response, checks=[not_a_server_error])


@api_schema.parametrize()
@FUZZ
def test_the_rest_api_never_answers_5xx(case: Case[Any], api_server: ServerProcess) -> None:
    _no_server_error(case, api_server)


@create_schema.parametrize()
@FUZZ
def test_any_valid_agent_is_created(case: Case[Any], api_server: ServerProcess) -> None:
    _no_server_error(case, api_server)
