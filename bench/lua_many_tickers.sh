#!/usr/bin/env bash
# 1,000 Lua sources (lua/sources/tick.lua), each ticking every 100 ms into one rule → none.
# Reports the engine's CPU share of one core in the steady state (target: < 10 %), measured from
# /proc/<pid>/stat over DURATION seconds after a 2 s warm-up, and for the whole run (start-up,
# loading every Lua state, included), with the peak RSS.
# Usage: bench/lua_many_tickers.sh [build_dir] [sources] [duration_s]   (default: build 1000 10)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
count=${2:-1000}
duration=${3:-10}
warmup=2
bin="$build/rulebook"
[ -x "$bin" ] || { echo "build $bin first (cmake --build $build --target rulebook)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Every source stops by itself after warm-up + duration + 1 s (limit = ticks): the run ends alone.
ticks=$(awk -v d="$duration" -v w="$warmup" 'BEGIN { printf "%d", (d + w + 1) * 10 }')
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

/usr/bin/time -f "%e %U %S %M" -o "$tmp/time" "$bin" -r "$tmp/many.yml" > /dev/null &
wrapper=$!
sleep 0.2
pid=$(pgrep -P "$wrapper" -n)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }  # utime + stime, in clock ticks
sleep "$warmup"
c0=$(cpu_ticks)
t0=$(date +%s.%N)
sleep "$duration"
c1=$(cpu_ticks)
t1=$(date +%s.%N)
wait "$wrapper"
hz=$(getconf CLK_TCK)
read -r wall user sys rss_kb < "$tmp/time"
awk -v c="$count" -v t="$ticks" -v c0="$c0" -v c1="$c1" -v t0="$t0" -v t1="$t1" -v hz="$hz" \
    -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss_kb" 'BEGIN {
  steady = (c1 - c0) / hz; span = t1 - t0
  printf "%d Lua sources, one tick each per 100 ms (%.0f events/s):\n", c, c * 10
  printf "  steady state: %.2f s CPU over %.1f s = %.1f%% of one core\n", steady, span,
         100 * steady / span
  printf "  whole run (%d ticks each, start-up included): wall %.2f s, cpu %.2f s (user %.2f, " \
         "sys %.2f) = %.1f%% of one core; peak RSS %.1f MB\n", t, w, u + s, u, s,
         (w > 0 ? 100 * (u + s) / w : 0), r / 1024 }'
