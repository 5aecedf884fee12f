#!/usr/bin/env bash
# The whole test suite: core, store (SQLite and PostgreSQL), CLI, pages (AppTest) and browser journeys.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/system-deps.sh
if [ "$#" -gt 0 ]; then   # a subset: as asked
  exec .venv/bin/python -m pytest -n 2 --dist loadfile -p no:cacheprovider "$@"
fi
# Everything: the parallel suite, then the tests that must run alone (they restart PostgreSQL under everyone).
.venv/bin/python -m pytest -n 2 --dist loadfile -p no:cacheprovider -m "not serial"
exec .venv/bin/python -m pytest -p no:cacheprovider -m serial
