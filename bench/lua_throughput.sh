#!/usr/bin/env bash
# Lua source throughput vs the built-in range, in one run: each emits N events {"i": n} as fast as
# the engine takes them, into one rule `event.i is defined` → `none`. Reports events/s (wall),
# CPU seconds, CPU share, peak RSS, and the Lua/range ratio (the issue's target: >= 50 %).
# Usage: bench/lua_throughput.sh [build_dir] [N ...]   (default: build 1000000)
# Extra engine options (e.g. LUA_OPTS="--lua-allow jit") are passed to the Lua run only.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000000)
bin="$build/rulebook"
[ -x "$bin" ] || { echo "build $bin first (cmake --build $build --target rulebook)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

rulebook() {  # $1 = source entry (YAML, already indented)
  cat <<YAML
- name: Benchmark
  hosts: all
  sources:
$1
  rules:
    - name: Every event
      condition: event.i is defined
      action:
        none:
YAML
}

# Runs one rulebook; prints "events/s wall cpu cpu% rss_MB".
measure() {  # $1 = rulebook file, $2 = N, rest = extra options
  local file=$1 n=$2
  shift 2
  /usr/bin/time -f "%e %U %S %M" -o "$tmp/time" "$bin" -r "$file" "$@" > /dev/null
  read -r wall user sys rss_kb < "$tmp/time"
  awk -v n="$n" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss_kb" 'BEGIN {
    cpu = u + s; printf "%.0f %.2f %.2f %.0f %.1f\n",
      (w > 0 ? n / w : 0), w, cpu, (w > 0 ? 100 * cpu / w : 0), r / 1024 }'
}

printf "%-8s %-10s %12s %8s %8s %6s %10s %8s\n" source events events/s wall_s cpu_s cpu% peak_rss_MB lua/range
for n in "${sizes[@]}"; do
  rulebook "    - ansible.eda.range:
        limit: $n" > "$tmp/range.yml"
  rulebook "    - lua_emit:
        limit: $n" > "$tmp/lua.yml"
  read -r r_eps r_wall r_cpu r_pct r_rss < <(measure "$tmp/range.yml" "$n")
  # shellcheck disable=SC2086
  read -r l_eps l_wall l_cpu l_pct l_rss < <(measure "$tmp/lua.yml" "$n" -S bench ${LUA_OPTS:-})
  printf "%-8s %-10d %12.0f %8.2f %8.2f %5.0f%% %10.1f %8s\n" range "$n" "$r_eps" "$r_wall" "$r_cpu" "$r_pct" "$r_rss" ""
  ratio=$(awk -v l="$l_eps" -v r="$r_eps" 'BEGIN { printf "%.0f%%", (r > 0 ? 100 * l / r : 0) }')
  printf "%-8s %-10d %12.0f %8.2f %8.2f %5.0f%% %10.1f %8s\n" lua "$n" "$l_eps" "$l_wall" "$l_cpu" "$l_pct" "$l_rss" "$ratio"
done
