#!/usr/bin/env bash
# 1,000 Lua sources (lua/sources/tick.lua), each ticking every 100 ms into one rule → none, for
# about DURATION seconds; reports the engine's CPU share (target: < 10 % of one core) and peak RSS.
# Usage: bench/lua_many_tickers.sh [build_dir] [sources] [duration_s]   (default: build 1000 10)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
count=${2:-1000}
duration=${3:-10}
bin="$build/rulebook"
[ -x "$bin" ] || { echo "build $bin first (cmake --build $build --target rulebook)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Every source stops by itself after `duration` seconds (limit = ticks), so the run ends alone.
ticks=$(awk -v d="$duration" 'BEGIN { printf "%d", d * 10 }')
{
  echo "- name: Many Lua tickers"
  echo "  hosts: all"
  echo "  sources:"
  for i in $(seq 1 "$count"); do
    echo "    - name: tick_$i"
    echo "      tick: {interval: 0.1, limit: $ticks}"
  done
  echo "  rules:"
  echo "    - name: Every tick"
  echo "      condition: event.tick is defined"
  echo "      action:"
  echo "        none:"
} > "$tmp/many.yml"

/usr/bin/time -f "%e %U %S %M" -o "$tmp/time" "$bin" -r "$tmp/many.yml" > /dev/null
read -r wall user sys rss_kb < "$tmp/time"
awk -v c="$count" -v t="$ticks" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss_kb" 'BEGIN {
  cpu = u + s
  printf "%d Lua sources x %d ticks (100 ms): wall %.2f s, cpu %.2f s (user %.2f, sys %.2f), " \
         "cpu share %.1f%% of one core, peak RSS %.1f MB, %.0f events/s\n",
         c, t, w, cpu, u, s, (w > 0 ? 100 * cpu / w : 0), r / 1024, (w > 0 ? c * t / w : 0) }'
echo "(start-up, loading $count Lua states, is included; see docs/benchmarks.md)"
