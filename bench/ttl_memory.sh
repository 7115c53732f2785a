#!/usr/bin/env bash
# TTL memory benchmark (issue 4, benchmark 2): an `all` of two conditions that never completes
# (every event satisfies the first, none the second), fed N events from the `range` source.
# Every event waits in the partial match until default_events_ttl drops it, so with a TTL shorter
# than the run the events held are at most rate x TTL: peak RSS follows the TTL, not N (compare
# N, 10N and 30N at 1 second: flat once the run is longer than the TTL). With the default TTL
# (2 hours) every event is still held at the end, so peak RSS grows with N (shown for N/10 and N,
# for contrast; their difference divided by 0.9 N is the memory one held event costs).
# Reports events/s, wall time, CPU time and peak RSS for each run.
# Usage: bench/ttl_memory.sh [build_dir] [N]   (default: build 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
n=${2:-1000000}
bin="$build/rulebook"
[ -x "$bin" ] || { echo "build $bin first (cmake --build $build --target rulebook)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

run() {  # $1 = ttl, $2 = events
  cat > "$tmp/rb.yml" <<YAML
- name: TTL benchmark
  hosts: all
  default_events_ttl: $1
  sources:
    - ansible.eda.range:
        limit: $2
  rules:
    - name: Never completes
      condition:
        all:
          - event.i >= 0
          - event.i < 0
      action:
        none:
YAML
  /usr/bin/time -f "%e %U %S %M" -o "$tmp/time" "$bin" -r "$tmp/rb.yml" > /dev/null
  read -r wall user sys rss_kb < "$tmp/time"
  awk -v t="$1" -v n="$2" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss_kb" 'BEGIN {
    printf "%-10s %-10d %12.0f %10.2f %10.2f %12.1f\n",
      t, n, (w > 0 ? n / w : 0), w, u + s, r / 1024 }'
}

printf "%-10s %-10s %12s %10s %10s %12s\n" ttl events events/s wall_s cpu_s peak_rss_MB
run "1 second" "$n"
run "1 second" $((10 * n))
run "1 second" $((30 * n))
run "2 hours" $((n / 10))
run "2 hours" "$n"
