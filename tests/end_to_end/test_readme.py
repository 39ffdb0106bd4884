"""Every fenced code block of README.md runs, as written, against a real Parley server.

A block is one of:

- runnable (``python``, ``js``, ``bash``/``sh``/``shell``): run in a child process with
  ``PARLEY_URL`` and ``PARLEY_API_KEY`` set, which the snippets read (nothing in their text is
  rewritten). ``<!-- continues the previous block -->`` before a block makes it one script with
  the block before it, as a reader would paste them one after the other;
- output, a tree or a transcript: tagged ``text``, ``console`` or ``output``;
- not runnable by nature: ``<!-- not-run: why -->`` just before it.

Any other block fails the suite, so a new snippet cannot go untested. The agents answer through
a scripted OpenAI-compatible model on 127.0.0.1 (the server maps the default ``llm`` to it), so
no embedded model is loaded.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from parley.agents.defaults import DEFAULT_CONVERSATION_CONFIG
from tests.conftest import TEST_KEY
from tests.fakes.openai_server import FakeEndpoint, serve_endpoint
from tests.servers import ServerProcess

README = Path(__file__).resolve().parents[2] / "README.md"
JS_MODULES = Path(__file__).parents[1] / "js" / "node_modules"
RUNNABLE = {
    "python": "python",
    "js": "js",
    "javascript": "js",
    "bash": "bash",
    "sh": "bash",
    "shell": "bash",
}
NOT_CODE = {"text", "console", "output"}
NOT_RUN = re.compile(r"<!--\s*not-run:\s*(?P<reason>.*?)\s*-->", re.S)
CONTINUES = re.compile(r"<!--\s*continues the previous block\s*-->")
SNIPPET_SECONDS = 60  # a snippet waits at most 40 s for the agent; the scripted model is instant
WEATHER_CALL = {"location": "Paris"}


@dataclass(frozen=True)
class Block:
    line: int  # of the opening fence, 1-based
    language: str  # the fence's info string up to the first space; "" when it has none
    code: str
    marker: str  # the HTML comment just before the fence, or ""


@dataclass(frozen=True)
class Snippet:
    """What runs as one script: a block and the blocks that continue it."""

    line: int
    runner: str
    code: str


def blocks(markdown: str) -> list[Block]:
    tokens = MarkdownIt("commonmark").parse(markdown)
    found = []
    for index, token in enumerate(tokens):
        if token.type != "fence" or token.map is None:
            continue
        before = tokens[index - 1] if index else None
        marker = before.content.strip() if before and before.type == "html_block" else ""
        language = token.info.split()[0] if token.info.strip() else ""
        found.append(Block(token.map[0] + 1, language, token.content, marker))
    return found


def problems(found: list[Block]) -> list[str]:
    """Why any block is neither runnable nor explicitly classified."""
    wrong = []
    previous_runner = ""
    for block in found:
        where = f"README.md:{block.line} (```{block.language})"
        not_run = NOT_RUN.fullmatch(block.marker)
        if not_run:
            if not not_run.group("reason"):
                wrong.append(f"{where}: say why it is not run: <!-- not-run: why -->")
            previous_runner = ""
            continue
        if block.marker and not CONTINUES.fullmatch(block.marker):
            wrong.append(f"{where}: unknown marker {block.marker!r}")
        runner = RUNNABLE.get(block.language, "")
        if CONTINUES.fullmatch(block.marker) and runner != previous_runner:
            wrong.append(f"{where}: it continues no {block.language or 'runnable'} block")
        if not runner and block.language not in NOT_CODE:
            wrong.append(
                f"{where}: tag it python, js or bash (it then runs in "
                "tests/end_to_end/test_readme.py), text/console for output, "
                "or put <!-- not-run: why --> before it"
            )
        previous_runner = runner
    return wrong


def snippets(found: list[Block]) -> list[Snippet]:
    runnable: list[Snippet] = []
    for block in found:
        runner = RUNNABLE.get(block.language)
        if runner is None or NOT_RUN.fullmatch(block.marker):
            continue
        if CONTINUES.fullmatch(block.marker) and runnable and runnable[-1].runner == runner:
            first = runnable.pop()
            runnable.append(Snippet(first.line, runner, first.code + "\n" + block.code))
        else:
            runnable.append(Snippet(block.line, runner, block.code))
    return runnable


README_BLOCKS = blocks(README.read_text())
README_SNIPPETS = snippets(README_BLOCKS)


def test_every_block_is_run_or_says_why_not() -> None:
    assert README_SNIPPETS, "README.md has no runnable examples: is the parser broken?"
    assert problems(README_BLOCKS) == []


def test_the_classifier_refuses_unmarked_blocks() -> None:
    markdown = (
        "```html\n<p>hi</p>\n```\n\n"
        "```\nno language\n```\n\n"
        "<!-- not-run: -->\n```bash\nmake run\n```\n\n"
        "<!-- continues the previous block -->\n```python\nprint(1)\n```\n\n"
        "<!-- not-run: a page for another site -->\n```html\n<p>ok</p>\n```\n\n"
        "```text\noutput\n```\n"
    )
    wrong = problems(blocks(markdown))
    lines = [int(problem.split(":")[1].split()[0]) for problem in wrong]
    assert lines == [1, 5, 10, 15]  # no tag, no language, no reason, nothing it continues


class ScriptedModel:
    """Answers the README's agents as a real model would, and refuses anything unexpected.

    Asked about the weather, it calls ``get_weather`` (so an agent without that tool is a
    refusal, not a silent pass); given the tool's result, it answers with it; anything else
    gets a short greeting. Every answer and refusal is kept for the test's checks.
    """

    def __init__(self, endpoint: FakeEndpoint) -> None:
        self.endpoint = endpoint
        self.answers: list[str] = []
        self.tool_calls = 0
        self.tool_results: list[str] = []
        self.refusals: list[str] = []
        endpoint.reply = self.reply

    def reset(self) -> None:
        self.endpoint.received.clear()
        self.answers.clear()
        self.tool_results.clear()
        self.refusals.clear()
        self.tool_calls = 0

    async def reply(self, request: Request) -> Response:
        body = self.endpoint.received[-1].body
        last = body["messages"][-1]
        tools = {tool["function"]["name"] for tool in body.get("tools", [])}
        if last["role"] == "tool":
            self.tool_results.append(last["content"])
            return self._say(f"Here is what get_weather said: {last['content']}")
        if "weather" in str(last.get("content", "")).lower():
            if "get_weather" not in tools:
                return self._refuse(f"asked about the weather, but the agent offers {tools}")
            self.tool_calls += 1
            call = {"index": 0, "id": f"call_{self.tool_calls}", "type": "function"}
            call["function"] = {"name": "get_weather", "arguments": json.dumps(WEATHER_CALL)}
            return self._stream({"tool_calls": [call]})
        return self._say("Hello from the scripted model.")

    def _say(self, text: str) -> Response:
        self.answers.append(text)
        return self._stream({"content": text})

    def _refuse(self, why: str) -> Response:
        self.refusals.append(why)
        return JSONResponse({"error": {"message": why}}, status_code=400)

    @staticmethod
    def _stream(delta: dict[str, Any]) -> Response:
        chunk = {"choices": [{"index": 0, "delta": delta}]}
        events = [f"data: {json.dumps(chunk)}\n\n", "data: [DONE]\n\n"]
        return StreamingResponse(iter(events), media_type="text/event-stream")


@pytest.fixture(scope="module")
def model() -> Iterator[ScriptedModel]:
    with serve_endpoint() as endpoint:
        yield ScriptedModel(endpoint)


@pytest.fixture(scope="module")
def readme_server(
    model: ScriptedModel, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    """A real server whose default ``llm`` is the scripted model (text only: no voices), and
    whose embedded model is missing: a README agent that reached it would fail."""
    data = tmp_path_factory.mktemp("readme-server")
    default_llm = DEFAULT_CONVERSATION_CONFIG["agent"]["prompt"]["llm"]
    endpoints = {default_llm: {"url": model.endpoint.base_url}}
    env = {
        "PARLEY_VOICE": "false",
        "PARLEY_LLM_ENDPOINTS": json.dumps(endpoints),
        "PARLEY_LOCAL_LLM": str(data / "no-such-model.gguf"),
    }
    server = ServerProcess(data, f"sqlite+aiosqlite:///{data / 'parley.db'}", TEST_KEY, env)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def command(snippet: Snippet, folder: Path) -> list[str]:
    if snippet.runner == "python":
        script = folder / "snippet.py"
        script.write_text(snippet.code)
        return [sys.executable, str(script)]
    if snippet.runner == "js":
        node = shutil.which("node")
        if node is None or not JS_MODULES.is_dir():
            pytest.fail("node and tests/js/node_modules are needed: run scripts/test.sh")
        (folder / "node_modules").symlink_to(JS_MODULES)  # imports resolve as in a project
        script = folder / "snippet.mjs"
        script.write_text(snippet.code)
        return [node, str(script)]
    if shutil.which("curl") is None and "curl " in snippet.code:
        pytest.fail("curl is needed: run scripts/test.sh (apt-get install curl)")
    script = folder / "snippet.sh"
    script.write_text(snippet.code)
    return ["bash", "-euo", "pipefail", str(script)]


@pytest.mark.parametrize(
    "snippet", README_SNIPPETS, ids=[f"{s.runner}-line{s.line}" for s in README_SNIPPETS]
)
def test_readme_snippet_runs(
    snippet: Snippet, readme_server: ServerProcess, model: ScriptedModel, tmp_path: Path
) -> None:
    model.reset()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PARLEY_", "ELEVENLABS_"))}
    env |= {"PARLEY_URL": readme_server.base_url, "PARLEY_API_KEY": TEST_KEY}
    try:
        done = subprocess.run(
            command(snippet, tmp_path),
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=SNIPPET_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as stuck:
        pytest.fail(
            f"README.md:{snippet.line} did not end within {SNIPPET_SECONDS} s (a session left "
            f"open keeps the SDK's thread alive):\n{_text(stuck.stdout)}\n{_text(stuck.stderr)}"
        )
    shown = f"README.md:{snippet.line} ({snippet.runner})\n{done.stdout}\n{done.stderr}"
    assert done.returncode == 0, shown
    assert not re.search(r"Traceback|Error", done.stderr), shown  # e.g. the SDK's thread logs
    assert model.refusals == [], shown
    for answer in model.answers:  # what the agent said reached the snippet's callback
        assert answer in done.stdout, shown
    assert len(model.tool_results) == model.tool_calls, shown  # each client tool call answered


def _text(output: str | bytes | None) -> str:
    """What a killed child had printed (``TimeoutExpired`` keeps it as bytes)."""
    return output.decode(errors="replace") if isinstance(output, bytes) else output or ""
