#!/usr/bin/env bash
# Plugin source throughput (issue 5), all in one run: the built-in `range`, a Lua source emitting
# as fast as it can (bench/lua_emit.lua, JIT off as by default, then with --lua-allow jit), and the
# C example plugin counter_c (.so), each sending N events into one rule `event.<field> is defined`
# → `none`. Each configuration runs REPS times (default 3), interleaved, and the best run counts
# (the machine is shared: the best run is the least disturbed one). Reports events/s (wall), CPU
# seconds and peak RSS of the best run, and the ratio to range. Targets: Lua >= 50 % of range,
# .so >= 80 %.
# Usage: bench/plugins_throughput.sh [build_dir] [N] [REPS]   (default: build 2000000 3)
# Needs the rulebook binary and <build_dir>/plugins/counter_c.so (cmake --build <build_dir>
# --target rulebook rb_plugin_counter_c); use a Release or RelWithDebInfo build.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
n=${2:-2000000}
reps=${3:-3}
bin="$build/rulebook"
plugins="$build/plugins"
[ -x "$bin" ] || { echo "build $bin first (cmake --build $build --target rulebook)"; exit 1; }
[ -f "$plugins/counter_c.so" ] || {
  echo "build $plugins/counter_c.so first (cmake --build $build --target rb_plugin_counter_c)"
  exit 1
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

rulebook() {  # $1 = source entry (YAML, already indented), $2 = the field the events carry
  cat <<YAML
- name: Benchmark
  hosts: all
  sources:
$1
  rules:
    - name: Every event
      condition: event.$2 is defined
      action:
        none:
YAML
}

rulebook "    - ansible.eda.range:
        limit: $n" i > "$tmp/range.yml"
rulebook "    - lua_emit:
        limit: $n" i > "$tmp/lua.yml"
# batch 1024 is counter_c's default: one next_batch call returns 1024 events.
rulebook "    - counter_c:
        limit: $n
        batch: 1024" n > "$tmp/so.yml"

names=(range lua lua_jit so)
declare -A args=(
  [range]="-r $tmp/range.yml"
  [lua]="-r $tmp/lua.yml -S bench"
  [lua_jit]="-r $tmp/lua.yml -S bench --lua-allow jit"
  [so]="-r $tmp/so.yml -S $plugins"
)
declare -A best_eps best_wall best_cpu best_rss
for name in "${names[@]}"; do best_eps[$name]=0; done

for _ in $(seq 1 "$reps"); do
  for name in "${names[@]}"; do
    # shellcheck disable=SC2086
    /usr/bin/time -f "%e %U %S %M" -o "$tmp/time" "$bin" ${args[$name]} > /dev/null
    read -r wall user sys rss_kb < "$tmp/time"
    eps=$(awk -v n="$n" -v w="$wall" 'BEGIN { printf "%.0f", (w > 0 ? n / w : 0) }')
    if [ "$eps" -gt "${best_eps[$name]}" ]; then
      best_eps[$name]=$eps
      best_wall[$name]=$wall
      best_cpu[$name]=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
      best_rss[$name]=$(awk -v r="$rss_kb" 'BEGIN { printf "%.1f", r / 1024 }')
    fi
  done
done

echo "N = $n events per source, best of $reps runs"
printf "%-8s %12s %8s %8s %12s %9s %7s\n" source events/s wall_s cpu_s peak_rss_MB "of range" target
for name in "${names[@]}"; do
  ratio=$(awk -v a="${best_eps[$name]}" -v r="${best_eps[range]}" \
    'BEGIN { printf "%.0f%%", (r > 0 ? 100 * a / r : 0) }')
  case $name in
    lua) target=">= 50%" ;;
    so) target=">= 80%" ;;
    *) target="" ;;
  esac
  printf "%-8s %12d %8.2f %8.2f %12.1f %9s %7s\n" "$name" "${best_eps[$name]}" \
    "${best_wall[$name]}" "${best_cpu[$name]}" "${best_rss[$name]}" "$ratio" "$target"
done
