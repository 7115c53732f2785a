#!/usr/bin/env bash
# Audit log benchmark (issue 11, part 2): the foundation benchmark (range source, N events, one
# rule `event.i is defined` -> `none`) without an audit log, then with `--audit-log` on the disk
# (the file is fsynced at exit, so the time includes writing it out), on tmpfs (/dev/shm: the
# CPU cost alone) and to /dev/null. Without an audit log the dispatcher skips `none` entirely;
# with one, every event costs a record (about 580 bytes here).
# Reports events/s, its share of the first row, wall and CPU seconds, peak RSS and the file size.
# Usage: bench/audit_log.sh [build_dir] [N]   (default: build 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
n=${2:-1000000}
bin="$build/rulebook"
[ -x "$bin" ] || { echo "build $bin first (cmake --build $build --target rulebook)"; exit 1; }
tmp=$(mktemp -d -p "${TMPDIR:-/var/tmp}")
shm=$(mktemp -d -p /dev/shm)
trap 'rm -rf "$tmp" "$shm"' EXIT
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

base=0
run() {  # $1 = label, $2 = audit log path or ""
  local args=(-r "$tmp/rb.yml")
  [ -n "$2" ] && args+=(--audit-log "$2")
  [ -n "$2" ] && [ "$2" != /dev/null ] && rm -f "$2"
  /usr/bin/time -f "%e %U %S %M" -o "$tmp/time" "$bin" "${args[@]}" > /dev/null
  read -r wall user sys rss_kb < "$tmp/time"
  local size=0
  [ -n "$2" ] && [ -f "$2" ] && size=$(stat -c %s "$2")
  awk -v l="$1" -v n="$n" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss_kb" -v b="$base" \
      -v z="$size" 'BEGIN {
    rate = (w > 0 ? n / w : 0); share = (b > 0 ? 100 * rate / b : 100)
    printf "%-22s %12.0f %7.0f%% %8.2f %8.2f %10.1f %10.1f\n", l, rate, share, w, u + s,
      r / 1024, z / 1048576 }'
  [ "$base" = 0 ] && base=$(awk -v n="$n" -v w="$wall" 'BEGIN { print (w > 0 ? n / w : 0) }')
  [ -n "$2" ] && [ "$2" != /dev/null ] && rm -f "$2"
  return 0
}

printf "%-22s %12s %8s %8s %8s %10s %10s\n" run events/s share wall_s cpu_s rss_MB audit_MB
run "no audit log" ""
run "audit log on disk" "$tmp/audit.jsonl"
run "audit log on tmpfs" "$shm/audit.jsonl"
run "audit log /dev/null" /dev/null
