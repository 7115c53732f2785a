#!/usr/bin/env bash
# Takeover times of an HA pair per failure, this engine's design and the seeds' (poll every 3 s)
# in one run, and the idle cost of followers and leaders. Usage:
#   bench/ha_failover.sh [BUILD_DIR] [bench_ha_failover flags: --trials 30 --scenarios kill9,...]
set -euo pipefail
build=${1:-build}
shift || true
cmake --build "$build" --target bench_ha_failover rulebook >/dev/null
exec "$build/tests/bench_ha_failover" "$@"
