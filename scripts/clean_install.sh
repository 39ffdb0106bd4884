#!/usr/bin/env bash
# What a new user's first install does: a fresh virtual environment, a plain `pip install .`
# (no extras), then `parley --help`. tests/end_to_end/test_clean_install.py then serves a text
# conversation from that venv (scripts/test.sh passes it on as PARLEY_TEST_CLEAN_VENV).
# pip's cache stays on, so this takes ~20-40 s; it is stopped after 10 minutes.
# Usage: scripts/clean_install.sh VENV_DIR   (VENV_DIR is replaced)
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${1:?usage: scripts/clean_install.sh VENV_DIR}"
PYTHON="${PYTHON:-python3}"
started=$SECONDS

echo "==> clean install: pip install . (no extras) into a fresh venv at $venv"
rm -rf "$venv"
"$PYTHON" -m venv "$venv"
timeout 600 "$venv/bin/python" -m pip install --quiet . \
  || { echo "!! pip install . failed or took over 10 minutes" >&2; exit 1; }
echo "    installed in $((SECONDS - started)) s"
if ! help="$("$venv/bin/parley" --help 2>&1)" || [[ "$help" != *serve* ]]; then
  echo "!! \`parley --help\` failed in the clean venv:" >&2
  echo "$help" >&2
  exit 1
fi
echo "    parley --help works; $((SECONDS - started)) s in all"
