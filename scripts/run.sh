#!/usr/bin/env bash
# Install Parley and start it on its embedded defaults (SQLite in ./data, 127.0.0.1:8000).
# Any arguments go to `parley serve`, e.g. scripts/run.sh --host 0.0.0.0 --port 9000
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh local
exec .venv/bin/parley serve "$@"
