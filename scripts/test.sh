#!/usr/bin/env bash
# Install everything the tests need and run the whole suite: lint, types, then pytest against
# SQLite and a real PostgreSQL, with the official Python and JS SDKs, and the web console in
# Debian's Chromium (driven by the Python playwright package; never `playwright install`).
# Extra arguments go to pytest, e.g. scripts/test.sh -k sqlite -x
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/bootstrap.sh local,test

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "==> installing Node.js (Debian packages nodejs, npm)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
fi
if ! command -v espeak-ng >/dev/null; then
  echo "==> installing espeak-ng (Debian), which speaks the test utterances"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq espeak-ng >/dev/null
fi
if ! command -v curl >/dev/null; then
  echo "==> installing curl (Debian), which the README's HTTP examples use"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq curl >/dev/null
fi
if [ ! -x /usr/bin/chromium ]; then
  echo "==> installing Chromium (Debian), which the console and browser SDK tests drive"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq chromium >/dev/null
fi
echo "==> assembling the Kokoro TTS model and its English voices (npm pack kokoro-js)"
.venv/bin/python -m parley.providers.tts.install_kokoro --cache-dir "$HOME/.cache/parley-test-models"
echo "==> installing the official JS SDK for the compatibility tests"
(cd tests/js && npm ci --no-audit --no-fund --loglevel=error)

echo "==> ruff"
.venv/bin/ruff check src tests scripts benchmarks
.venv/bin/ruff format --check src tests scripts benchmarks
echo "==> mypy --strict"
.venv/bin/mypy

# a plain `pip install .` into a fresh venv, as a new user's; tests/end_to_end/test_clean_install.py
# serves a text conversation from it
export PARLEY_TEST_CLEAN_VENV="${TMPDIR:-/tmp}/parley-clean-venv"
scripts/clean_install.sh "$PARLEY_TEST_CLEAN_VENV"

pg_dir="$(mktemp -d /tmp/parley-pg.XXXXXX)"
pg_port="${PARLEY_TEST_POSTGRES_PORT:-55432}"
trap 'scripts/postgres.sh stop "$pg_dir"' EXIT
scripts/postgres.sh start "$pg_dir" "$pg_port"
export PARLEY_TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$pg_port/postgres"

echo "==> pytest"
.venv/bin/pytest "$@"
