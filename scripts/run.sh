#!/usr/bin/env bash
# Run the dashboard. On an empty database (default sqlite:///data/dashboard.db) it loads the demo bank itself.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m streamlit run app.py --server.headless true --browser.gatherUsageStats false "$@"
