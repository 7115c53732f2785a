#!/usr/bin/env bash
# The main job: uptime monitoring (rulebooks/uptime.yml with vars/uptime.yml). Installs the
# dependencies, builds, starts the local demo site (build/demo_target on 127.0.0.1:8089: a healthy,
# a slow, a failing and a flapping page) and monitors it, plus one public URL, until Ctrl-C.
# Heartbeats go to ./heartbeats.db (SQLite; no PostgreSQL needed). Alerts and recoveries on stdout,
# one line each; a summary of the checks every 30 s on stderr; the status page on
# http://127.0.0.1:8088/. Extra arguments go to rulebook, e.g. scripts/demo.sh -vv (a line per check)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target rulebook demo_target
./build/demo_target --port 8089 --flap 30 &
target=$!
trap 'kill $target 2>/dev/null || true' EXIT
sleep 0.5
if ! kill -0 "$target" 2>/dev/null; then
  echo "demo: the demo site could not start on 127.0.0.1:8089 (is another demo running?)" >&2
  exit 1
fi
echo "demo: monitoring http://127.0.0.1:8089/{healthy,slow,failing,flapping} and https://example.com/"
echo "demo: (without internet access example.com cannot be resolved and shows as DOWN)"
echo "demo: heartbeats in $PWD/heartbeats.db, e.g. sqlite3 heartbeats.db 'SELECT * FROM heartbeats'"
port=${DEMO_HTTP_PORT:-8088}
echo "demo: status page http://127.0.0.1:$port/ (metrics at /metrics; DEMO_HTTP_PORT changes it)"
./build/rulebook -r rulebooks/uptime.yml -e vars/uptime.yml -v --http-port "$port" \
  --http-host 127.0.0.1 "$@"
