#!/usr/bin/env bash
# run_playbook overhead and throughput (issue 10), with the real ansible-playbook on localhost.
#
# 1. Overhead per run beyond ansible-playbook itself: OVERHEAD_RUNS events, one every
#    OVERHEAD_GAP seconds (each playbook ends before the next event), each running a one-task
#    playbook. From the -vv log (`spawned at_us`, `exited at_us`, `reported at_us`, job ids) and
#    the audit log (the event's meta.received_at): event received -> child spawned, and child
#    exited (reaped, pipes drained) -> audit record handed to the log.
# 2. N playbooks (default 100) queued at once with `-m 8` (parallel ruleset), wall time, against
#    the same N run by hand with `xargs -P8 ansible-playbook`, alternating, ROUNDS times.
#
#   bench/run_playbook.sh [BUILD_DIR]     env: N=100 PARALLEL=8 ROUNDS=3 OVERHEAD_RUNS=10 OVERHEAD_GAP=2.5
#
# Results go to stdout; docs/benchmarks.md keeps the recorded figures and this command.
set -euo pipefail

build=${1:-build}
n=${N:-100}
par=${PARALLEL:-8}
runs=${OVERHEAD_RUNS:-10}
gap=${OVERHEAD_GAP:-2.5}
rounds=${ROUNDS:-3}
bin="$build/rulebook"
[ -x "$bin" ] || { echo "no $bin: build first" >&2; exit 1; }
command -v ansible-playbook >/dev/null || { echo "ansible-playbook not on PATH" >&2; exit 1; }

. "$(dirname "$0")/common.sh"
bench_workdir playbook_bench
cat > "$dir/inventory.yml" <<'YML'
all:
  hosts:
    localhost:
      ansible_connection: local
      ansible_python_interpreter: /usr/bin/python3
YML
cat > "$dir/pb.yml" <<'YML'
- hosts: all
  gather_facts: false
  tasks:
    - ansible.builtin.debug:
        msg: "event {{ ansible_eda.event.i | default(i) }}"
YML
# rulebook NAME LIMIT DELAY STRATEGY: a range source, every event runs pb.yml.
rulebook() {
  cat > "$dir/$1.yml" <<YML
- name: $1
  hosts: all
  execution_strategy: $4
  sources:
    - range:
        limit: $2
        delay: $3
  rules:
    - name: run
      condition: event.i >= 0
      action:
        run_playbook:
          name: $dir/pb.yml
YML
}
rulebook overhead "$runs" "$gap" sequential
rulebook many "$n" 0 parallel

echo "== overhead: $runs runs, one every ${gap}s"
"$bin" -r "$dir/overhead.yml" -i "$dir/inventory.yml" --audit-log "$dir/overhead.jsonl" -vv \
  2> "$dir/overhead.log" > /dev/null
python3 - "$dir/overhead.log" "$dir/overhead.jsonl" <<'PY'
import datetime, json, re, statistics, sys
log, audit = sys.argv[1], sys.argv[2]
t = {}
for line in open(log):
    m = re.search(r"job (\S+): (spawned|exited|reported) at_us=(\d+)", line)
    if m:
        t.setdefault(m.group(1), {})[m.group(2)] = int(m.group(3))
start, end, total = [], [], []
for line in open(audit):
    r = json.loads(line)
    if r.get("action") != "run_playbook":
        continue
    job = t[r["job_id"]]
    received = r["matching_events"]["m"]["meta"]["received_at"]
    rec = datetime.datetime.fromisoformat(received.replace("Z", "+00:00")).timestamp() * 1e6
    start.append((job["spawned"] - rec) / 1000)
    end.append((job["reported"] - job["exited"]) / 1000)
    total.append((job["exited"] - job["spawned"]) / 1000)
def show(name, xs):
    print(f"{name}: median {statistics.median(xs):.2f} ms, max {max(xs):.2f} ms (n={len(xs)})")
show("event received -> ansible-playbook spawned", start)
show("ansible-playbook exited -> audit record", end)
show("ansible-playbook itself (spawn -> exit)", total)
PY

# The two sides alternate ROUNDS times: on a shared VM one pair of runs can differ by more than
# what it measures.
elapsed() { python3 -c "print(f'{$2 - $1:.1f}')"; }
echo "== $n playbooks, $par at a time: rulebook -m $par (parallel ruleset) vs xargs -P$par, $rounds rounds"
for ((r = 1; r <= rounds; r++)); do
  s=$(date +%s.%N)
  "$bin" -r "$dir/many.yml" -i "$dir/inventory.yml" -m "$par" --audit-log "$dir/many.jsonl" \
    > /dev/null 2> "$dir/many.log"
  e=$(date +%s.%N)
  ok=$(grep -c '"status":"successful"' "$dir/many.jsonl" || true)
  rm -f "$dir/many.jsonl"
  ours=$(elapsed "$s" "$e")
  s=$(date +%s.%N)
  seq 1 "$n" | xargs -P"$par" -I{} ansible-playbook -i "$dir/inventory.yml" -e i={} \
    "$dir/pb.yml" > /dev/null
  e=$(date +%s.%N)
  echo "round $r: rulebook $ours s ($ok/$n successful), by hand $(elapsed "$s" "$e") s"
done
