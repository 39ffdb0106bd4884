"""Real Parley servers for integration tests: ``python -m parley serve`` on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import httpx

# Assembled model files are large: every test server shares one cache.
MODEL_CACHE = Path.home() / ".cache" / "parley-test-models"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class ServerProcess:
    """A Parley server in a child process, restartable on the same data."""

    def __init__(
        self,
        data_dir: Path,
        database_url: str,
        api_key: str | None,
        extra_env: dict[str, str] | None = None,
        parley: Sequence[str] = (sys.executable, "-m", "parley"),
    ) -> None:
        """``parley`` is the command to run (e.g. another venv's ``bin/parley``)."""
        self.data_dir = data_dir
        self.database_url = database_url
        self.api_key = api_key
        self.port = free_port()
        self.log_path = data_dir / "server.log"
        self.extra_env = extra_env or {}
        self.parley = list(parley)
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self._process is not None, "the server is not running"
        return self._process.pid

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("PARLEY_", "ELEVENLABS_"))
        }
        env.update(
            PARLEY_DATA_DIR=str(self.data_dir),
            PARLEY_DATABASE_URL=self.database_url,
            PARLEY_MODELS_DIR=str(MODEL_CACHE),
            PARLEY_PRELOAD_MODELS="false",
        )
        env.update(self.extra_env)
        if self.api_key:
            env["PARLEY_API_KEY"] = self.api_key
        return env

    def start(self, timeout: float = 30.0) -> None:
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                [*self.parley, "serve", "--port", str(self.port)],
                env=self.env(),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"server exited at start:\n{self.log()}")
            try:
                if httpx.get(f"{self.base_url}/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError(f"server did not answer /health in {timeout}s:\n{self.log()}")

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.send_signal(signal.SIGTERM)
        try:
            self._process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process = None

    def signal(self, sig: signal.Signals) -> None:
        assert self._process is not None, "the server is not running"
        self._process.send_signal(sig)

    def wait_exit(self, timeout: float) -> int:
        """Wait for the server to exit by itself (after a signal); returns its exit status."""
        assert self._process is not None, "the server is not running"
        status = self._process.wait(timeout=timeout)
        self._process = None
        return status

    def restart(self) -> None:
        self.stop()
        self.start()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
