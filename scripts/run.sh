#!/usr/bin/env bash
# Install Parley and start it on its embedded defaults (SQLite in ./data, 127.0.0.1:8000).
# Any arguments go to `parley serve`, e.g. scripts/run.sh --host 0.0.0.0 --port 9000
# (through make: `make run ARGS="--port 9000"` or `PARLEY_PORT=9000 make run`).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "==> setting up Parley in .venv, then starting it"
scripts/bootstrap.sh local

# Text-to-speech phonemes come from the espeak-ng program (Debian package; GPL, run as a
# separate process, never imported).
if ! command -v espeak-ng >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    echo "==> installing espeak-ng (Debian)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq espeak-ng >/dev/null
  else
    echo "!! espeak-ng is missing: run 'sudo apt-get install espeak-ng' for voice (text still works)"
  fi
fi
# The 28 Kokoro voices come from the npm package kokoro-js; Piper's "joe" works without them.
if command -v npm >/dev/null; then
  echo "==> Kokoro voices (npm pack kokoro-js, kept in data/models; only the first run fetches)"
  .venv/bin/python -m parley.providers.tts.install_kokoro --cache-dir data/models \
    || echo "!! Kokoro voices not installed; the default voice (joe) still speaks"
fi
echo "==> starting parley serve $*"
exec .venv/bin/parley serve "$@"
