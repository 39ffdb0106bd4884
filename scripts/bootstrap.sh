#!/usr/bin/env bash
# Create the project's virtual environment (.venv) and install Parley into it.
# Usage: scripts/bootstrap.sh [extras]   e.g. "local" (the embedded models), "local,test".
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null; then
  echo "Parley needs Python 3.11 or newer as \$PYTHON (found: $("$PYTHON" --version 2>&1))" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$PYTHON" -m venv .venv
fi
spec="."
if [ -n "${1:-}" ]; then spec=".[$1]"; fi
started=$SECONDS
echo "==> installing parley${1:+ with [$1]} into .venv"
case ",${1:-}," in
  *,local,*)
    echo "    the first time this takes several minutes: about 2 GB of model packages, and" \
      "llama.cpp compiles from source (~4 min on 2 cores); later runs take seconds" ;;
esac
.venv/bin/python -m pip install --quiet --upgrade pip
# pip -q is silent for minutes on a first install: show which step it is at instead
.venv/bin/python -m pip install --editable "$spec" \
  | { grep --line-buffered -E '^ *(Collecting|Building wheel|Installing collected)' \
        | sed -u -E -e 's/^ */    /' -e 's/(Installing collected packages).*/\1/' || true; }
echo "==> parley installed in $((SECONDS - started)) s"
