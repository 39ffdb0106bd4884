"""What a new user meets on a first start: a taken port."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path


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
