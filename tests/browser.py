"""Debian's Chromium driven by Playwright, with a WAV file as its microphone.

Never ``playwright install``: scripts/test.sh installs the ``chromium`` package and the
Python ``playwright`` driver, and tests launch ``/usr/bin/chromium`` headless.
"""

from __future__ import annotations

import mimetypes
import threading
import wave
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

from parley.audio.codec import float32_to_pcm16

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
RATE = 16000

FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
]


def microphone_wav(path: Path, *parts: tuple[float, np.ndarray | None]) -> Path:
    """A mono 16 kHz WAV: each part is (seconds of silence before it, speech or None)."""
    pieces: list[np.ndarray] = []
    for silence, speech in parts:
        pieces.append(np.zeros(int(silence * RATE), dtype=np.float32))
        if speech is not None:
            pieces.append(speech.astype(np.float32))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(float32_to_pcm16(np.concatenate(pieces)).tobytes())
    return path


@contextmanager
def chromium(microphone: Path | None = None, extra: list[str] | None = None) -> Iterator[Browser]:
    """Headless Chromium; ``microphone`` plays once (``%noloop``), then silence."""
    flags = [*FLAGS, *(extra or [])]
    if microphone is not None:
        flags.append(f"--use-file-for-fake-audio-capture={microphone}%noloop")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=flags)
        try:
            yield browser
        finally:
            browser.close()


def collect_errors(page: Page) -> list[str]:
    """Uncaught exceptions and console errors of ``page``; a test asserts the list is empty."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))

    def on_console(message: ConsoleMessage) -> None:
        # an API answer of 4xx is logged by Chromium too; the page shows those itself
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.append(f"console: {message.text}")

    page.on("console", on_console)
    return errors


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@contextmanager
def static_site(files: dict[str, Path | str]) -> Iterator[str]:
    """A test-only web server on 127.0.0.1 (a real network origin, so Chromium lets its pages
    reach Parley on loopback) serving ``files`` by name: a path, or the page text itself."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            name = self.path.split("?", 1)[0].lstrip("/") or "index.html"
            source = files.get(name)
            if source is None:
                self.send_error(404)
                return
            body = source.read_bytes() if isinstance(source, Path) else source.encode()
            self.send_response(200)
            self.send_header("Content-Type", mimetypes.guess_type(name)[0] or "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: pytest shows the server's log on failure, not this one's."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
