"""The agents REST API through the official JS REST SDK, which validates responses strictly."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import TEST_KEY
from tests.servers import ServerProcess

JS_DIR = Path(__file__).parents[1] / "js"

pytestmark = pytest.mark.js


def run_node(script: str, *args: str) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None or not (JS_DIR / "node_modules").exists():
        pytest.fail("node and tests/js/node_modules are needed: run scripts/test.sh")
    result = subprocess.run(
        [node, str(JS_DIR / script), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"{script} failed:\n{result.stdout}\n{result.stderr}"
    summary: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return summary


def test_js_sdk_parses_every_agents_response(
    server: ServerProcess, full_agent: dict[str, Any]
) -> None:
    response = httpx.post(
        f"{server.base_url}/v1/convai/agents/create",
        json=full_agent,
        headers={"xi-api-key": TEST_KEY},
    )
    assert response.status_code == 200, response.text
    full_id = response.json()["agent_id"]

    seen = run_node("rest_roundtrip.mjs", server.base_url, TEST_KEY, full_id)

    assert seen["got"] == {
        "agentId": seen["created"],
        "name": "JS agent",
        "firstMessage": "Hello from JS",
        "tool": "get_weather",
        "createdAt": seen["got"]["createdAt"],
    }
    assert seen["got"]["createdAt"] > 0
    assert seen["full"] == {
        "name": full_agent["name"],
        "tools": ["client", "webhook", "system"],
        "workflowNodes": ["end", "start", "support"],
    }
    assert set(seen["listed"]) == {seen["created"], full_id}
    assert seen["hasMore"] is False
    assert seen["updatedName"] == "JS renamed"
    assert seen["duplicate"] not in (seen["created"], full_id)
    assert seen["afterDelete"] == 404
    assert seen["unauthorised"] == 401
