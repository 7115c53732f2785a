#!/usr/bin/env bash
# Heartbeat write rates into one throwaway PostgreSQL: the store's COPY batches vs one INSERT per
# row in autocommit, and the SQLite store. Usage:
#   bench/heartbeat_writes.sh [BUILD_DIR] [--rows N] [--single-rows N] [--fast]
set -euo pipefail
build=${1:-build}
shift || true
cmake --build "$build" --target bench_heartbeat_writes >/dev/null
exec "$build/bench_heartbeat_writes" "$@"
