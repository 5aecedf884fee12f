#!/usr/bin/env bash
# Several Streamlit replicas of the dashboard behind nginx (sticky sessions, WebSocket), on one database.
#
#   DATABASE_URL=postgresql+psycopg://dash@db/dash deploy/run-replicas.sh [--replicas 2] [--listen 0.0.0.0:8080]
#                [--base-port 8501] [--prefix ./run/nginx]
#   deploy/run-replicas.sh --check ...      render the nginx config and test it (nginx -t), start nothing
#
# Starts N replicas (`streamlit run app.py` on base-port, base-port+1, ... on 127.0.0.1), waits until each
# answers /_stcore/health, renders deploy/nginx.conf.template into PREFIX and runs nginx in the foreground.
# Ctrl-C (or SIGTERM) stops nginx and every replica. Replicas must share the database: DATABASE_URL must be
# PostgreSQL (SQLite is one file on one machine; see docs/DEPLOYMENT.md).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
replicas=2; listen="0.0.0.0:8080"; base_port=8501; prefix="$repo/run/nginx"; check=0
while [ $# -gt 0 ]; do
  case "$1" in
    --replicas) replicas="$2"; shift 2 ;;
    --listen) listen="$2"; shift 2 ;;
    --base-port) base_port="$2"; shift 2 ;;
    --prefix) prefix="$2"; shift 2 ;;
    --check) check=1; shift ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done
python="${PYTHON:-$repo/.venv/bin/python}"
[ -x "$python" ] || python="$(command -v python3)"
nginx_bin="${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}"
[ -x "$nginx_bin" ] || { echo "nginx is missing (apt-get install nginx; scripts/system-deps.sh)" >&2; exit 2; }

ports=()
for i in $(seq 0 $((replicas - 1))); do ports+=($((base_port + i))); done
port_list="$(IFS=,; echo "${ports[*]}")"
conf="$("$python" "$here/render_nginx.py" --listen "$listen" --ports "$port_list" --prefix "$prefix")"
prefix="$(dirname "$conf")"
"$nginx_bin" -t -q -p "$prefix" -e "$prefix/logs/error.log" -c "$conf" -g 'daemon off;'
if [ "$check" = 1 ]; then
  echo "nginx config OK: $conf (replicas on ports $port_list)"
  exit 0
fi

case "${DATABASE_URL:-}" in
  postgresql*) ;;
  *) echo "DATABASE_URL must point at the shared PostgreSQL database (got '${DATABASE_URL:-}')" >&2; exit 2 ;;
esac

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

# Migrate once before the replicas start, so they do not race to upgrade the schema.
"$python" -c "import os; from core import store; store.init_db(store.get_engine(os.environ['DATABASE_URL']))" \
  || { echo "could not migrate $DATABASE_URL" >&2; exit 1; }
cd "$repo"
for port in "${ports[@]}"; do
  "$python" -m streamlit run app.py --server.headless true --server.address 127.0.0.1 --server.port "$port" \
    --browser.gatherUsageStats false --server.fileWatcherType none --server.runOnSave false \
    >>"$prefix/logs/replica-$port.log" 2>&1 &
  pids+=($!)
done
for port in "${ports[@]}"; do
  for _ in $(seq 1 120); do
    "$python" -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$port/_stcore/health', timeout=2)" \
      2>/dev/null && break
    sleep 1
  done
done
echo "replicas on $port_list; nginx on $listen (logs in $prefix/logs)"
"$nginx_bin" -p "$prefix" -e "$prefix/logs/error.log" -c "$conf" -g 'daemon off;' &
pids+=($!)
wait "${pids[-1]}"
