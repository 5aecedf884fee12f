#!/usr/bin/env bash
# The whole test suite: core, store (SQLite and PostgreSQL), CLI, pages (AppTest) and browser journeys.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/system-deps.sh
exec .venv/bin/python -m pytest -n 2 --dist loadfile -p no:cacheprovider "$@"
