"""What a new user meets on a first start: what the extras install, a taken port, the API
reference offline."""

from __future__ import annotations

import importlib.metadata
import re
import socket
import subprocess
import sys
import tomllib
from pathlib import Path

from fastapi.testclient import TestClient
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from parley.providers import extras

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def test_the_local_extra_installs_every_module_the_embedded_models_need() -> None:
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    local = {
        canonicalize_name(Requirement(r).name) for r in project["optional-dependencies"]["local"]
    }
    plain = {canonicalize_name(Requirement(r).name) for r in project["dependencies"]}
    installed_by = importlib.metadata.packages_distributions()
    needed = extras.LLM_MODULES + extras.VAD_MODULES + extras.STT_MODULES + extras.TTS_MODULES
    for module in needed:
        distributions = {canonicalize_name(name) for name in installed_by[module]}
        assert distributions & local, f"{module} comes from {distributions}, not the local extra"
        assert not distributions & plain, f"{module} is in the plain install: drop it from extras"


def test_a_taken_port_fails_at_once_with_advice_and_creates_no_key(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "parley", "serve", "--port", str(port)],
            env={"PATH": "/usr/bin:/bin", "PARLEY_DATA_DIR": str(tmp_path / "data")},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 1
    assert f"port {port} is in use" in result.stderr
    assert f"PARLEY_PORT={port + 1}" in result.stderr
    assert "Traceback" not in result.stderr
    # nothing started: no key was created (and shown once, uselessly), no "ready"
    assert "API key" not in result.stdout + result.stderr
    assert "ready" not in result.stdout + result.stderr
    assert not (tmp_path / "data").exists()


def test_docs_load_swagger_ui_from_this_server_only(client: TestClient) -> None:
    page = client.get("/docs", headers={"xi-api-key": ""})
    assert page.status_code == 200
    urls = re.findall(r"""(?:src|href|url)\s*[=:]\s*['"]([^'"]+)['"]""", page.text)
    assert len(urls) >= 4  # the script, the stylesheet, the icon and the OpenAPI document
    assert [url for url in urls if not url.startswith("/")] == []
    assert "//" not in page.text  # no CDN, no other host
    assert '"validatorUrl": null' in page.text  # nor Swagger's online validator badge
    for url in urls:
        asset = client.get(url, headers={"xi-api-key": ""})
        assert asset.status_code == 200, url
        assert len(asset.content) > 500, url
    script = client.get("/docs/assets/swagger-ui-bundle.js")
    assert script.headers["content-type"].startswith(("text/javascript", "application/javascript"))
    assert "SwaggerUIBundle" in script.text
