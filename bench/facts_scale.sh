#!/usr/bin/env bash
# Facts at scale (issue 11): N `set_fact` of distinct facts against N templated `debug` actions,
# the same `range` source and rule shape, in one run. Reports wall time, the ratio, peak RSS and
# memory per fact (RSS above the debug run's, divided by N). The fact is {n: i}: it must not match
# the rule itself (facts meet event. conditions too), or every set_fact would fire it again.
# A third run posts the same {n: i} as an event (post_event): offering a fact to the rules should
# cost what offering an event does (post_event/set_fact time).
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

printf "%-9s %9s %11s %7s %13s %11s %13s %13s %11s\n" N debug_s set_fact_s ratio post_event_s post/fact \
  debug_rss_MB facts_rss_MB bytes/fact
for n in "${sizes[@]}"; do
  rulebook "$n" '        debug:
          msg: "event {{ event.i }}"'
  read -r dw dr < <(run)
  rulebook "$n" '        set_fact:
          fact:
            n: "{{ event.i }}"'
  read -r fw fr < <(run)
  rulebook "$n" '        post_event:
          event:
            n: "{{ event.i }}"'
  read -r pw _ < <(run)
  awk -v n="$n" -v dw="$dw" -v dr="$dr" -v fw="$fw" -v fr="$fr" -v pw="$pw" 'BEGIN {
    printf "%-9d %9.2f %11.2f %7.2f %13.2f %11.2f %13.1f %13.1f %13.0f\n",
      n, dw, fw, (dw > 0 ? fw / dw : 0), pw, (fw > 0 ? pw / fw : 0), dr / 1024, fr / 1024,
      (fr - dr) * 1024 / n }'
done
