#!/usr/bin/env bash
# TTL memory benchmark (issue 4, benchmark 2): an `all` of two conditions that never completes
# (every event satisfies the first, none the second), fed N events from the `range` source.
# Every event waits in the partial match until default_events_ttl drops it, so peak RSS must
# follow the TTL (events held <= rate x TTL), not N. The same run with the default TTL (2 hours)
# is shown for contrast: there every event is still held at the end.
# Reports events/s, wall time and peak RSS for each N and TTL.
# Usage: bench/ttl_memory.sh [build_dir] [N ...]   (default: build 100000 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100000 1000000)
ttls=("1 second" "2 hours")
bin="$build/rulebook"
[ -x "$bin" ] || { echo "build $bin first (cmake --build $build --target rulebook)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

printf "%-10s %-10s %12s %10s %10s %12s\n" ttl events events/s wall_s cpu_s peak_rss_MB
for ttl in "${ttls[@]}"; do
  for n in "${sizes[@]}"; do
    cat > "$tmp/rb.yml" <<YAML
- name: TTL benchmark
  hosts: all
  default_events_ttl: $ttl
  sources:
    - ansible.eda.range:
        limit: $n
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
    awk -v t="$ttl" -v n="$n" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss_kb" 'BEGIN {
      printf "%-10s %-10d %12.0f %10.2f %10.2f %12.1f\n",
        t, n, (w > 0 ? n / w : 0), w, u + s, r / 1024 }'
  done
done
