#!/usr/bin/env bash
# Rule index benchmark (issue 4, benchmark 1): the same event stream against 1 rule
# `event.id == 0` and against 1,000 rules `event.id == <k>` (k = 0..999), each with action
# `none`, the engine end to end. Events come from the `generic` source: a payload of 1,000 events
# {id: 0..999} repeated `loop_count` times, so with 1,000 rules every event fires exactly one
# rule (the harder case) while with 1 rule only one in 1,000 does.
# Without an index the 1,000-rule run evaluates 1,000 conditions per event; with it, one lookup.
# Target: events/s of the 1,000-rule run within 2x of the 1-rule run (ratio <= 2).
# For contrast, a third run writes the same 1,000 tests as `event.id >= k and event.id <= k`,
# which the index does not take: every event is tested against the rules in file order (a scan;
# run on 20 times fewer events).
# Usage: bench/rule_index.sh [build_dir] [events]   (default: build 2000000)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
n=${2:-2000000}
bin="$build/rulebook"
[ -x "$bin" ] || { echo "build $bin first (cmake --build $build --target rulebook)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
loops=$(( (n + 999) / 1000 ))
n=$(( loops * 1000 ))

payload() {
  for ((k = 0; k < 1000; k++)); do echo "          - id: $k"; done
}

write_rulebook() {  # $1 = file, $2 = number of rules, $3 = "scan" for the unindexable form
  {
    cat <<YAML
- name: Rule index benchmark
  hosts: all
  sources:
    - ansible.eda.generic:
        loop_count: $loops
        payload:
YAML
    payload
    echo "  rules:"
    for ((k = 0; k < $2; k++)); do
      cat <<YAML
    - name: id $k
      condition: $(if [ "${3:-}" = scan ]; then echo "event.id >= $k and event.id <= $k"; else echo "event.id == $k"; fi)
      action:
        none:
YAML
    done
  } > "$1"
}

run() {  # $1 = rules, $2 = "scan" or empty; prints "rules events/s wall cpu rss"
  local loops=$loops n=$n
  if [ "$2" = scan ]; then loops=$(( (loops + 19) / 20 )); n=$(( loops * 1000 )); fi  # 20x fewer
  write_rulebook "$tmp/rb$1$2.yml" "$1" "$2"
  /usr/bin/time -f "%e %U %S %M" -o "$tmp/time$1" "$bin" -r "$tmp/rb$1$2.yml" > /dev/null
  read -r wall user sys rss_kb < "$tmp/time$1"
  awk -v r="$1$2" -v n="$n" -v w="$wall" -v u="$user" -v s="$sys" -v m="$rss_kb" 'BEGIN {
    printf "%-8s %10d %12.0f %8.2f %8.2f %10.1f\n", r, n, (w > 0 ? n / w : 0), w, u + s, m / 1024 }'
}

printf "%-8s %10s %12s %8s %8s %10s\n" rules events events/s wall_s cpu_s peak_rss_MB
one=$(run 1 "")
echo "$one"
many=$(run 1000 "")
echo "$many"
run 1000 scan
awk -v a="$(echo "$one" | awk '{print $3}')" -v b="$(echo "$many" | awk '{print $3}')" 'BEGIN {
  ratio = (b > 0 ? a / b : 0)
  printf "ratio (1 rule / 1000 rules events/s): %.2f  %s\n", ratio, (ratio <= 2 ? "OK (<= 2)" : "OVER 2x") }'
