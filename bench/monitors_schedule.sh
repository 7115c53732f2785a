#!/usr/bin/env bash
# The `monitors` source's schedule under load: N monitors at one interval for D seconds, `none`
# action, events printed with --print-events. Reports the events, the start lateness of each slot
# (meta.received_at - scheduled_at: when the source put the event vs its slot time) as p50, p99
# and max, the busiest 100 ms (how well the offsets spread the slots), slots missing or repeated
# per monitor, and peak RSS (/usr/bin/time).
# Usage: bench/monitors_schedule.sh [build_dir] [N] [interval_s] [duration_s]
#        (default: build 10000 10 35)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
n=${2:-10000}
interval=${3:-10}
duration=${4:-35}
bin="$build/rulebook"
[ -x "$bin" ] || { echo "build $bin first (cmake --build $build --target rulebook)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python3 - "$n" "$interval" > "$tmp/vars.json" <<'PY'
import json, sys
n, interval = int(sys.argv[1]), float(sys.argv[2])
print(json.dumps({"bench_monitors": [
    {"name": f"monitor-{i:05d}", "url": f"http://127.0.0.1:9/check/{i}", "interval": interval,
     "timeout": 5, "expect": {"status": [200]}, "datacenter": "VA"} for i in range(n)]}))
PY

# SIGINT after D seconds: the engine's normal Ctrl-C shutdown.
/usr/bin/time -f "%e %U %S %M" -o "$tmp/time" \
  timeout -s INT "$duration" "$bin" -r bench/monitors_schedule.yml -e "$tmp/vars.json" \
  --print-events > "$tmp/events.jsonl" || true
# The last line: /usr/bin/time first notes the non-zero status timeout gives.
read -r wall user sys rss_kb < <(tail -n 1 "$tmp/time")

python3 - "$tmp/events.jsonl" "$n" "$interval" "$wall" "$user" "$sys" "$rss_kb" <<'PY'
import json, sys
from collections import Counter, defaultdict
from datetime import datetime

path, n, interval = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
wall, user, sys_s, rss_kb = map(float, sys.argv[4:8])

def us(text):
    d = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return int(d.timestamp()) * 1_000_000 + d.microsecond

late, per_bucket, slots = [], Counter(), defaultdict(list)
with open(path) as f:
    for line in f:
        if not line.startswith("{"):
            continue
        e = json.loads(line)
        s, r = us(e["scheduled_at"]), us(e["meta"]["received_at"])
        late.append((r - s) / 1000)
        per_bucket[s // 100_000] += 1
        slots[e["monitor"]["name"]].append(s)
late.sort()
pct = lambda p: late[min(len(late) - 1, int(p * len(late)))]
step = int(interval * 1_000_000)
gaps = sum(1 for v in slots.values() for a, b in zip(v, v[1:]) if b - a != step)
print(f"monitors {n}, interval {interval:g} s, run {wall:.1f} s, events {len(late)}, "
      f"monitors seen {len(slots)}")
print(f"lateness ms: min {late[0]:.2f}  p50 {pct(0.5):.2f}  p99 {pct(0.99):.2f}  "
      f"max {late[-1]:.2f}  (negative: {sum(1 for x in late if x < 0)})")
print(f"busiest 100 ms: {max(per_bucket.values())} events (even spread: {n / interval / 10:.0f})")
print(f"slots missing or repeated: {gaps}")
print(f"cpu {user + sys_s:.2f} s ({100 * (user + sys_s) / wall:.1f}%), peak RSS {rss_kb / 1024:.1f} MB")
PY
