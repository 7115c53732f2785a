#!/usr/bin/env bash
# Foundation benchmark (ansible-rulebook's own performance scenario): the `range` source with
# `limit` N, one rule `event.i is defined` → `none`, the engine end to end.
# Reports events/s (wall), CPU seconds (user+sys), CPU share and peak RSS for each N.
# Usage: bench/range_throughput.sh [build_dir] [N ...]   (default: build 1000000 10000000)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000000 10000000)
bin="$build/rulebook"
[ -x "$bin" ] || { echo "build $bin first (cmake --build $build --target rulebook)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

printf "%-10s %12s %10s %10s %8s %10s\n" events events/s wall_s cpu_s cpu% peak_rss_MB
for n in "${sizes[@]}"; do
  cat > "$tmp/rb.yml" <<YAML
- name: Benchmark
  hosts: all
  sources:
    - ansible.eda.range:
        limit: $n
  rules:
    - name: Every event
      condition: event.i is defined
      action:
        none:
YAML
  /usr/bin/time -f "%e %U %S %M" -o "$tmp/time" "$bin" -r "$tmp/rb.yml" > /dev/null
  read -r wall user sys rss_kb < "$tmp/time"
  awk -v n="$n" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss_kb" 'BEGIN {
    cpu = u + s; printf "%-10d %12.0f %10.2f %10.2f %7.0f%% %10.1f\n",
      n, (w > 0 ? n / w : 0), w, cpu, (w > 0 ? 100 * cpu / w : 0), r / 1024 }'
done
