#!/usr/bin/env bash
# Facts at scale (issue 11): N `set_fact` of distinct facts against N templated `debug` actions,
# the same `range` source and rule shape, in one run. Reports wall time, the ratio, peak RSS and
# memory per fact (RSS above the debug run's, divided by N). The fact is {n: i}: it must not match
# the rule itself (facts meet event. conditions too), or every set_fact would fire it again.
# Usage: bench/facts_scale.sh [build_dir] [N ...]   (default: build 100000 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100000 1000000)
bin="$build/rulebook"
[ -x "$bin" ] || { echo "build $bin first (cmake --build $build --target rulebook)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

rulebook() {  # $1 = N, $2 = action block
  cat > "$tmp/rb.yml" <<YAML
- name: Facts
  hosts: all
  sources:
    - ansible.eda.range:
        limit: $1
  rules:
    - name: Every event
      condition: event.i is defined
      action:
$2
YAML
}

run() {  # prints "wall_s rss_kb"
  /usr/bin/time -f "%e %M" -o "$tmp/time" "$bin" -r "$tmp/rb.yml" > /dev/null
  cat "$tmp/time"
}

printf "%-9s %12s %12s %7s %14s %14s %13s\n" N debug_s set_fact_s ratio debug_rss_MB facts_rss_MB bytes/fact
for n in "${sizes[@]}"; do
  rulebook "$n" '        debug:
          msg: "event {{ event.i }}"'
  read -r dw dr < <(run)
  rulebook "$n" '        set_fact:
          fact:
            n: "{{ event.i }}"'
  read -r fw fr < <(run)
  awk -v n="$n" -v dw="$dw" -v dr="$dr" -v fw="$fw" -v fr="$fr" 'BEGIN {
    printf "%-9d %12.2f %12.2f %7.2f %14.1f %14.1f %13.0f\n",
      n, dw, fw, (dw > 0 ? fw / dw : 0), dr / 1024, fr / 1024, (fr - dr) * 1024 / n }'
done
